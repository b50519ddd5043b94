import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.sun.net.httpserver.HttpServer;

/**
 * Delivery lag of one relay with many connected clients: starts a fake session-service and one relay process
 * (the packaged relay-service), connects CLIENTS WebSocket clients over SESSIONS sessions, publishes a
 * TOKENS-token answer to every session the way chat-service does (Lua: XADD + PUBLISH), and measures
 * publish -> client receive per event. Single file, JDK only: `java RelayFanoutBench.java` (see README.md).
 */
public class RelayFanoutBench {

    static int intEnv(String name, int dflt) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? dflt : Integer.parseInt(v.trim());
    }

    static final int CLIENTS = intEnv("CLIENTS", 1000);
    static final int SESSIONS = intEnv("SESSIONS", 1000);
    static final int TOKENS = intEnv("TOKENS", 50);
    static final int TOKEN_INTERVAL_MS = intEnv("TOKEN_INTERVAL_MS", 100); // the rate bench/run.sh and the README quote
    static final String REDIS_HOST = System.getenv().getOrDefault("REDIS_HOST", "127.0.0.1");
    static final int REDIS_PORT = intEnv("REDIS_PORT", 6379);
    static final Pattern SENT = Pattern.compile("\"sent_nanos\":(\\d+)");
    /** RELAY_URL (http://host:port): measure a relay that is already running (e.g. the Node baseline) instead. */
    static final String RELAY_URL = System.getenv("RELAY_URL");
    static final String LABEL = System.getenv().getOrDefault("LABEL", "relay-service");
    /** RESULT_FILE: append one tab-separated line with the figures (bench/run.sh builds its report from it). */
    static final String RESULT_FILE = System.getenv("RESULT_FILE");

    static final String LUA = "local ev = cjson.decode(ARGV[1]) "
            + "local id = redis.call('XADD', KEYS[1], 'MAXLEN', '~', 1000, '*', 'type', ev['type'], 'data', ARGV[1]) "
            + "ev['id'] = id redis.call('PUBLISH', KEYS[2], cjson.encode(ev)) redis.call('EXPIRE', KEYS[1], 600) return id";

    public static void main(String[] args) throws Exception {
        Path root = Path.of(args.length > 0 ? args[0] : ".").toAbsolutePath().normalize();
        Path app = root.resolve("relay-service/target/quarkus-app/quarkus-run.jar");
        Path pub = root.resolve("relay-service/src/test/resources/test-publicKey.pem");
        Path priv = root.resolve("relay-service/src/test/resources/test-privateKey.pem");
        if (!Files.exists(app)) {
            throw new IllegalStateException("package relay-service first: " + app);
        }
        PrivateKey key = privateKey(priv);
        if (RELAY_URL != null && !RELAY_URL.isBlank()) {
            long pid = Long.parseLong(System.getenv().getOrDefault("RELAY_PID", "0"));
            run(URI.create(RELAY_URL).getPort(), key, pid, false);
            System.exit(0);
        }

        // fake session-service: every session belongs to whoever asks
        HttpServer sessions = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 512);
        sessions.createContext("/api/sessions/", ex -> {
            byte[] body = "{\"id\":\"x\"}".getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().add("Content-Type", "application/json");
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        sessions.setExecutor(java.util.concurrent.Executors.newFixedThreadPool(4));
        sessions.start();

        int port = freePort();
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> cmd = List.of(java, "-Xmx1g", "-Dquarkus.http.port=" + port,
                "-Dmp.jwt.verify.publickey.location=" + pub,
                "-Dquarkus.rest-client.session-service.url=http://127.0.0.1:" + sessions.getAddress().getPort(),
                "-Dquarkus.rest-client.chat-service.url=http://127.0.0.1:9",
                "-Drelay.allowed-origins=http://localhost:8080",
                "-Dquarkus.redis.hosts=redis://" + REDIS_HOST + ":" + REDIS_PORT,
                "-Dquarkus.log.console.json.enabled=false", "-Dquarkus.log.level=WARN",
                "-jar", app.toString());
        File log = Files.createTempFile("relay-bench", ".log").toFile();
        Process relay = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log).start();
        Runtime.getRuntime().addShutdownHook(new Thread(relay::destroy)); // also on System.exit(1) (lost events)
        try {
            run(port, key, relay.pid(), true);
        } finally {
            relay.destroy();
            relay.waitFor(20, TimeUnit.SECONDS);
            relay.destroyForcibly();
            sessions.stop(0);
        }
        System.exit(0); // the fake session-service's executor threads would keep the JVM alive
    }

    static final class Client implements WebSocket.Listener {
        final long[] lagsNanos = new long[TOKENS * 2];
        final AtomicInteger got = new AtomicInteger();
        final CountDownLatch ready = new CountDownLatch(1);
        final StringBuilder partial = new StringBuilder();
        volatile int duplicatesOrExtra;
        volatile long lastNanos;

        @Override
        public void onOpen(WebSocket ws) {
            ws.request(1);
        }

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            long now = System.nanoTime();
            partial.append(data);
            if (last) {
                String s = partial.toString();
                partial.setLength(0);
                if (s.contains("\"type\":\"ready\"")) {
                    ready.countDown();
                } else {
                    Matcher m = SENT.matcher(s);
                    if (m.find()) {
                        int i = got.getAndIncrement();
                        if (i < lagsNanos.length) {
                            lagsNanos[i] = now - Long.parseLong(m.group(1));
                            lastNanos = now;
                        } else {
                            duplicatesOrExtra++;
                        }
                    }
                }
            }
            ws.request(1);
            return null;
        }
    }

    static void run(int port, PrivateKey key, long relayPid, boolean quarkusMetrics) throws Exception {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1) // no h2c upgrade offer
                .connectTimeout(Duration.ofSeconds(10)).build();
        awaitReady(http, port);
        List<String> sids = new ArrayList<>();
        String runId = UUID.randomUUID().toString().substring(0, 8);
        for (int i = 0; i < SESSIONS; i++) {
            sids.add("bench-" + runId + "-" + i);
        }
        String token = jwt(key, UUID.randomUUID().toString());
        String proto = URLEncoder.encode("quarkus-http-upgrade#Authorization#Bearer " + token, StandardCharsets.UTF_8)
                .replace("+", "%20");
        List<Client> clients = new ArrayList<>();
        List<CompletableFuture<WebSocket>> opening = new ArrayList<>();
        long t0 = System.nanoTime();
        for (int i = 0; i < CLIENTS; i++) {
            Client c = new Client();
            clients.add(c);
            opening.add(http.newWebSocketBuilder().header("Origin", "http://localhost:8080").subprotocols("quarkus", proto)
                    .connectTimeout(Duration.ofSeconds(30))
                    .buildAsync(URI.create("ws://127.0.0.1:" + port + "/ws/sessions/" + sids.get(i % SESSIONS)), c));
            if (opening.size() % 100 == 0) {
                CompletableFuture.allOf(opening.toArray(CompletableFuture[]::new)).join(); // ramp in steps of 100
            }
        }
        List<WebSocket> sockets = new ArrayList<>();
        for (CompletableFuture<WebSocket> f : opening) {
            sockets.add(f.join());
        }
        for (Client c : clients) {
            if (!c.ready.await(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("a client never got ready");
            }
        }
        long connectMs = (System.nanoTime() - t0) / 1_000_000;
        System.out.printf("[%s] connected %d clients on %d sessions in %d ms%n", LABEL, CLIENTS, SESSIONS, connectMs);

        long publishStart = System.nanoTime();
        try (Resp redis = new Resp(REDIS_HOST, REDIS_PORT)) {
            for (int t = 0; t < TOKENS; t++) {
                long roundStart = System.nanoTime();
                for (String sid : sids) {
                    String json = "{\"type\":\"message.delta\",\"session_id\":\"" + sid + "\",\"message_id\":\"m-" + sid
                            + "\",\"delta\":\"tok" + t + " \",\"n\":" + t + ",\"ts\":" + System.currentTimeMillis()
                            + ",\"sent_nanos\":" + System.nanoTime() + "}";
                    redis.write("EVAL", LUA, "2", "chat:stream:{" + sid + "}", "chat:events:{" + sid + "}", json);
                }
                redis.flush();
                redis.readReplies(sids.size());
                long spent = (System.nanoTime() - roundStart) / 1_000_000;
                if (spent < TOKEN_INTERVAL_MS) {
                    Thread.sleep(TOKEN_INTERVAL_MS - spent);
                }
            }
        }
        long publishMs = (System.nanoTime() - publishStart) / 1_000_000;
        long deadline = System.currentTimeMillis() + 30_000;
        for (Client c : clients) {
            while (c.got.get() < TOKENS && System.currentTimeMillis() < deadline) {
                Thread.sleep(10);
            }
        }
        long expected = (long) CLIENTS * TOKENS;
        long received = 0;
        int extra = 0;
        List<Long> all = new ArrayList<>();
        for (Client c : clients) {
            int n = Math.min(c.got.get(), c.lagsNanos.length);
            received += Math.min(n, TOKENS);
            extra += Math.max(0, c.got.get() - TOKENS);
            for (int i = 0; i < n; i++) {
                all.add(c.lagsNanos[i]);
            }
        }
        long lastDelivery = publishStart;
        for (Client c : clients) {
            lastDelivery = Math.max(lastDelivery, c.lastNanos);
        }
        // events/s: events delivered to clients / (first publish -> last delivery)
        double eventsPerSecond = received / Math.max(1e-9, (lastDelivery - publishStart) / 1e9);
        long rssKb = rssKb(relayPid);
        long[] lags = all.stream().mapToLong(Long::longValue).toArray();
        Arrays.sort(lags);
        System.out.printf("published %d events (%d sessions x %d tokens, %d ms apart) in %d ms%n",
                (long) SESSIONS * TOKENS, SESSIONS, TOKENS, TOKEN_INTERVAL_MS, publishMs);
        System.out.printf("delivered %d of %d expected (%d extra)%n", received, expected, extra);
        System.out.printf("delivery lag publish->client: p50 %.2f ms  p90 %.2f ms  p99 %.2f ms  max %.2f ms%n",
                pct(lags, 50), pct(lags, 90), pct(lags, 99), lags.length == 0 ? 0 : lags[lags.length - 1] / 1e6);
        System.out.printf("[%s] %.0f events/s delivered; relay RSS after the run %d MiB%n", LABEL, eventsPerSecond, rssKb / 1024);
        if (RESULT_FILE != null && !RESULT_FILE.isBlank()) {
            Files.writeString(Path.of(RESULT_FILE), String.format(java.util.Locale.ROOT,
                    "%s\t%d\t%d\t%d\t%d\t%d\t%.2f\t%.2f\t%.2f\t%.2f\t%.0f\t%d\t%d%n", LABEL, CLIENTS, SESSIONS, TOKENS,
                    TOKEN_INTERVAL_MS, received, pct(lags, 50), pct(lags, 90), pct(lags, 99),
                    lags.length == 0 ? 0 : lags[lags.length - 1] / 1e6, eventsPerSecond, rssKb / 1024, expected),
                    java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
        }
        String metrics = !quarkusMetrics ? "" : http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/q/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        metrics.lines().filter(l -> l.startsWith("relay_events_delivered_total") || l.startsWith("relay_connections ")
                || l.startsWith("relay_delivery_lag_seconds_count") || l.startsWith("relay_delivery_lag_seconds_sum"))
                .forEach(l -> System.out.println("relay metric: " + l));
        for (WebSocket ws : sockets) {
            ws.abort();
        }
        try (Resp redis = new Resp(REDIS_HOST, REDIS_PORT)) {
            for (String sid : sids) {
                redis.write("DEL", "chat:stream:{" + sid + "}");
            }
            redis.flush();
            redis.readReplies(sids.size());
        }
        if (received < expected) {
            System.out.println("RESULT: events were lost");
            System.exit(1);
        }
        if (extra > 0) {
            // every event exactly once: a repeated frame is as wrong as a lost one
            System.out.println("RESULT: events were delivered more than once");
            System.exit(1);
        }
    }

    /** VmRSS of a process in KiB (0 when unknown). */
    static long rssKb(long pid) {
        if (pid <= 0) {
            return 0;
        }
        try {
            for (String l : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (l.startsWith("VmRSS:")) {
                    return Long.parseLong(l.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException e) {
            // gone or not Linux
        }
        return 0;
    }

    static double pct(long[] sorted, double p) {
        if (sorted.length == 0) {
            return 0;
        }
        int i = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))] / 1e6;
    }

    static void awaitReady(HttpClient http, int port) throws Exception {
        long deadline = System.currentTimeMillis() + 60_000;
        while (System.currentTimeMillis() < deadline) {
            try {
                if (http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/q/health/ready")).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // starting
            }
            Thread.sleep(250);
        }
        throw new IllegalStateException("relay not ready");
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    static PrivateKey privateKey(Path pem) throws Exception {
        String b64 = Files.readString(pem).replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
        return KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(b64)));
    }

    /** An access token shaped like auth-service's, signed with the relay-service test key. */
    static String jwt(PrivateKey key, String sub) throws Exception {
        Base64.Encoder enc = Base64.getUrlEncoder().withoutPadding();
        long now = System.currentTimeMillis() / 1000;
        String header = enc.encodeToString("{\"alg\":\"RS256\",\"typ\":\"at+jwt\",\"kid\":\"test-key\"}".getBytes(StandardCharsets.UTF_8));
        String claims = enc.encodeToString(("{\"iss\":\"chat-platform\",\"aud\":\"chat-platform\",\"sub\":\"" + sub
                + "\",\"upn\":\"bench@example.test\",\"groups\":[\"user\"],\"jti\":\"" + UUID.randomUUID() + "\",\"iat\":" + now
                + ",\"exp\":" + (now + 900) + "}").getBytes(StandardCharsets.UTF_8));
        Signature s = Signature.getInstance("SHA256withRSA");
        s.initSign(key);
        s.update((header + "." + claims).getBytes(StandardCharsets.US_ASCII));
        return header + "." + claims + "." + enc.encodeToString(s.sign());
    }

    /** Just enough RESP for pipelined commands. */
    static final class Resp implements AutoCloseable {
        final Socket socket;
        final OutputStream out;
        final InputStream in;

        Resp(String host, int port) throws IOException {
            socket = new Socket(host, port);
            socket.setTcpNoDelay(true);
            out = new java.io.BufferedOutputStream(socket.getOutputStream(), 1 << 16);
            in = new BufferedInputStream(socket.getInputStream(), 1 << 16);
        }

        void write(String... parts) throws IOException {
            StringBuilder sb = new StringBuilder().append('*').append(parts.length).append("\r\n");
            for (String p : parts) {
                byte[] b = p.getBytes(StandardCharsets.UTF_8);
                sb.append('$').append(b.length).append("\r\n").append(p).append("\r\n");
            }
            out.write(sb.toString().getBytes(StandardCharsets.UTF_8));
        }

        void flush() throws IOException {
            out.flush();
        }

        void readReplies(int n) throws IOException {
            for (int i = 0; i < n; i++) {
                String line = line();
                char t = line.charAt(0);
                if (t == '-') {
                    throw new IOException("redis: " + line);
                }
                if (t == '$') {
                    int len = Integer.parseInt(line.substring(1));
                    if (len >= 0) {
                        in.readNBytes(len + 2);
                    }
                }
            }
        }

        String line() throws IOException {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            int c;
            while ((c = in.read()) != '\r') {
                if (c < 0) {
                    throw new IOException("redis closed");
                }
                b.write(c);
            }
            in.read();
            return b.toString(StandardCharsets.UTF_8);
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
