package io.chatplatform.common.token;

import io.quarkus.arc.DefaultBean;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;
import org.jose4j.jwk.PublicJsonWebKey;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The keys at {@code mp.jwt.verify.publickey.location}. A file or class-path document is read once at start.
 * A JWKS URL is fetched by one background thread with the JDK HTTP client: at start, then every
 * {@code platform.jwt.jwks-refresh-interval}; a failed fetch keeps the keys held (an auth-service outage must
 * not reject valid tokens) and is retried with a doubling delay; an unknown {@code kid} queues one refresh at
 * most every {@code platform.jwt.kid-miss-refresh-interval}. Requests only ever read the held snapshot.
 */
@DefaultBean
@ApplicationScoped
public class JwksKeys implements VerificationKeys {

    private static final Logger LOG = Logger.getLogger(JwksKeys.class);
    private static final Duration FIRST_FETCH_MAX_DELAY = Duration.ofSeconds(5);

    private final TokenConfig config;
    private final Optional<String> location;
    private volatile List<PublicJsonWebKey> keys = List.of();
    private volatile String lastError;
    private final AtomicLong lastForcedRefresh = new AtomicLong(Long.MIN_VALUE / 2);
    private final AtomicBoolean forcedQueued = new AtomicBoolean();
    private ScheduledExecutorService fetcher;
    private ScheduledFuture<?> nextRefresh; // only touched on the fetcher thread
    private HttpClient http;
    private volatile Duration retryDelay;

    public JwksKeys(TokenConfig config, @ConfigProperty(name = "mp.jwt.verify.publickey.location") Optional<String> location) {
        this.config = config;
        this.location = location.map(String::strip).filter(l -> !l.isEmpty());
        this.retryDelay = config.jwksRetryInterval();
    }

    @Override
    public synchronized void start() {
        if (location.isEmpty() || fetcher != null) {
            return;
        }
        String where = location.get();
        if (!isRemote(where)) {
            try {
                keys = KeyDocuments.parse(KeyDocuments.readLocal(where));
            } catch (Exception e) {
                throw new IllegalStateException("mp.jwt.verify.publickey.location is not a readable key: " + where, e);
            }
            return;
        }
        fetcher = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "jwks-refresh");
            t.setDaemon(true);
            return t;
        });
        http = HttpClient.newBuilder().connectTimeout(config.jwksFetchTimeout()).build();
        fetcher.execute(this::refresh);
    }

    @PreDestroy
    synchronized void stop() {
        if (fetcher != null) {
            fetcher.shutdownNow();
        }
    }

    @Override
    public List<PublicJsonWebKey> current() {
        return keys;
    }

    @Override
    public Optional<String> lastError() {
        return Optional.ofNullable(lastError);
    }

    @Override
    public void missed(String kid) {
        long now = System.nanoTime();
        long last = lastForcedRefresh.get();
        if (fetcher == null || now - last < config.kidMissRefreshInterval().toNanos()
                || !lastForcedRefresh.compareAndSet(last, now)) {
            return;
        }
        if (forcedQueued.compareAndSet(false, true)) {
            LOG.debugf("Token key id %s is not in the JWKS: refreshing it in the background", kid);
            fetcher.execute(this::refresh);
        }
    }

    /** One fetch; always runs on the fetcher thread and (re)schedules the next one. */
    private void refresh() {
        forcedQueued.set(false);
        if (nextRefresh != null) {
            nextRefresh.cancel(false);
        }
        Duration next;
        try {
            keys = fetch();
            lastError = null;
            retryDelay = config.jwksRetryInterval();
            next = config.jwksRefreshInterval();
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
                return;
            }
            lastError = e.getClass().getSimpleName() + ": " + e.getMessage();
            LOG.warnf("JWKS fetch from %s failed (%s); %s, retrying in %s", location.get(), lastError,
                    keys.isEmpty() ? "no keys held yet" : "keeping the " + keys.size() + " keys held", retryDelay);
            next = retryDelay;
            // until the first keys arrive the service is not ready: keep trying often (auth-service starting up)
            retryDelay = min(retryDelay.multipliedBy(2), keys.isEmpty() ? FIRST_FETCH_MAX_DELAY : config.jwksRefreshInterval());
        }
        if (!fetcher.isShutdown()) {
            nextRefresh = fetcher.schedule(this::refresh, next.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    private List<PublicJsonWebKey> fetch() throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(location.get()))
                .timeout(config.jwksFetchTimeout()).header("Accept", "application/json").GET().build();
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IllegalStateException("HTTP " + response.statusCode());
        }
        List<PublicJsonWebKey> fetched = KeyDocuments.parse(response.body());
        if (fetched.isEmpty()) {
            throw new IllegalStateException("no RS256 signature key in the JWKS");
        }
        return fetched;
    }

    private static boolean isRemote(String location) {
        return location.startsWith("http://") || location.startsWith("https://");
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }
}
