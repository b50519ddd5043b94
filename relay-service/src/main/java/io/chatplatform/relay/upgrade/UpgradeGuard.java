package io.chatplatform.relay.upgrade;

import io.chatplatform.relay.RelayConfig;
import io.chatplatform.relay.RelayMetrics;
import io.chatplatform.relay.socket.ClientConnection;
import io.chatplatform.relay.socket.ConnectionHousekeeping;
import io.chatplatform.relay.socket.ConnectionRegistry;
import io.chatplatform.relay.socket.RelaySocket;

import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.jwt.JsonWebToken;
import org.jboss.logging.Logger;

import io.netty.channel.Channel;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.websockets.next.HttpUpgradeCheck;
import io.quarkus.websockets.next.UserData;
import io.smallrye.mutiny.Uni;
import io.vertx.core.net.impl.ConnectionBase;

/**
 * Runs before the WebSocket handshake completes: drain state, Origin, then the JWT (carried in the subprotocol
 * header), then ownership of the session. Any failure answers a plain HTTP status, so the connection never
 * upgrades.
 * <p>
 * Upgrade checks run highest priority first; Quarkus' own check for {@code @Authenticated} endpoints has priority
 * {@code Integer.MAX_VALUE - 100}. This one runs before it, so that Origin is checked for token-less requests too
 * and every refusal is counted by reason ({@code @Authenticated} stays as a second line).
 */
@ApplicationScoped
@Priority(UpgradeGuard.PRIORITY)
public class UpgradeGuard implements HttpUpgradeCheck {

    static final int PRIORITY = Integer.MAX_VALUE - 10;
    /** The Netty channel of the connection being upgraded, handed to the WebSocket endpoint through its user data. */
    public static final UserData.TypedKey<Channel> CHANNEL = new UserData.TypedKey<>("relay-channel");

    private static final Logger LOG = Logger.getLogger(UpgradeGuard.class);
    /** A tab closes in seconds; the UI's reconnect backoff waits at least this before trying again. */
    private static final String RETRY_AFTER_SECONDS = "10";
    private static final Pattern SESSION_ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");

    private final Set<String> origins;
    private final OwnershipService ownership;
    private final RelayMetrics metrics;
    private final ConnectionHousekeeping housekeeping;
    private final ConnectionRegistry registry;
    private final int maxPerUser;
    private final int maxConnections;

    public UpgradeGuard(RelayConfig config, OwnershipService ownership, RelayMetrics metrics,
            ConnectionHousekeeping housekeeping, ConnectionRegistry registry) {
        this.housekeeping = housekeeping;
        this.registry = registry;
        this.maxPerUser = config.maxConnectionsPerUser();
        this.maxConnections = config.maxConnections();
        this.origins = config.allowedOrigins().stream().map(String::trim).filter(s -> !s.isEmpty())
                .map(UpgradeGuard::normalise).collect(Collectors.toUnmodifiableSet());
        this.ownership = ownership;
        this.metrics = metrics;
    }

    @Override
    public boolean appliesTo(String endpointId) {
        return RelaySocket.ENDPOINT_ID.equals(endpointId);
    }

    @Override
    public Uni<CheckResult> perform(HttpUpgradeContext ctx) {
        if (housekeeping.draining()) {
            // this replica is going away: the client's backoff lands it on another one
            return reject("draining", 503);
        }
        if (registry.size() >= maxConnections) {
            // full: before the token check, which a flood of upgrades would otherwise pay for
            return rejectForNow("replica_full", 503);
        }
        String origin = ctx.httpRequest().getHeader("Origin");
        if (origin == null || !origins.contains(normalise(origin))) {
            return reject("origin", 403);
        }
        String sessionId = ctx.pathParam("session_id");
        if (sessionId == null || !SESSION_ID.matcher(sessionId).matches()) {
            return reject("bad_request", 400);
        }
        return ctx.securityIdentity().onFailure().recoverWithNull().chain(identity -> {
            JsonWebToken jwt = jwt(identity);
            if (jwt == null || jwt.getSubject() == null) {
                return reject("unauthenticated", 401);
            }
            if (registry.countOf(jwt.getSubject()) >= maxPerUser) {
                // before ownership: a flood of upgrades must not reach session-service either
                return rejectForNow("too_many_connections", 429);
            }
            return ownership.check(jwt.getSubject(), sessionId, "Bearer " + jwt.getRawToken()).chain(v -> switch (v) {
                case OWNED -> {
                    // the socket's channel, for RelaySocket: frames are written to it directly (see ClientConnection)
                    if (ctx.httpRequest().connection() instanceof ConnectionBase conn) {
                        ctx.userData().put(CHANNEL, conn.channel());
                    }
                    yield CheckResult.permitUpgrade();
                }
                case NOT_FOUND -> reject("not_found", 404);
                case UNAUTHORIZED -> reject("unauthenticated", 401);
                case UNAVAILABLE -> reject("unavailable", 503);
            });
        });
    }

    public static JsonWebToken jwt(SecurityIdentity identity) {
        if (identity == null || identity.isAnonymous()) {
            return null;
        }
        return identity.getPrincipal() instanceof JsonWebToken j ? j : null;
    }

    /** A refusal the client may retry: with Retry-After, which its reconnect backoff honours. */
    private Uni<CheckResult> rejectForNow(String reason, int status) {
        metrics.rejected(reason);
        return CheckResult.rejectUpgrade(status, Map.of("Retry-After", List.of(RETRY_AFTER_SECONDS)));
    }

    private Uni<CheckResult> reject(String reason, int status) {
        metrics.rejected(reason);
        LOG.debugf("WebSocket upgrade rejected: %s", reason);
        return CheckResult.rejectUpgrade(status);
    }

    /** scheme://host[:port] in lower case, default ports dropped, so configured and sent origins compare. */
    static String normalise(String origin) {
        try {
            URI u = URI.create(origin.trim());
            if (u.getScheme() == null || u.getHost() == null) {
                return origin.trim().toLowerCase();
            }
            String scheme = u.getScheme().toLowerCase();
            int port = u.getPort();
            boolean dflt = port == -1 || ("http".equals(scheme) && port == 80) || ("https".equals(scheme) && port == 443);
            return scheme + "://" + u.getHost().toLowerCase() + (dflt ? "" : ":" + port);
        } catch (IllegalArgumentException e) {
            return origin.trim().toLowerCase();
        }
    }
}
