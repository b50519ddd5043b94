// Platform overhead on time to first token: stack TTFT minus the stand-in's configured first-token delay.
// Run through run.sh. JDK-only single-file program (java Bench.java): starts an in-process session-service
// fake, the LLM stand-in and chat-service as processes, then measures POST /api/chat (Prefer: respond-async)
// -> first message.delta received on the Redis channel chat:events:{sid}.

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.BufferedInputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

public class Bench {

    static final Map<String, String> OWNER = new ConcurrentHashMap<>();
    static final Map<String, List<String>> MESSAGES = new ConcurrentHashMap<>();
    static final Map<String, CompletableFuture<Long>> FIRST_DELTA = new ConcurrentHashMap<>();
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    static KeyPair keys;
    static String chatUrl;

    public static void main(String[] args) throws Exception {
        String root = args.length > 0 ? args[0] : "../..";
        int turns = Integer.parseInt(System.getProperty("turns", "200"));
        long firstTokenDelay = Long.parseLong(System.getProperty("firstTokenDelayMs", "200"));
        String redisHost = System.getProperty("redisHost", "127.0.0.1");
        int redisPort = Integer.parseInt(System.getProperty("redisPort", "6379"));

        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(2048);
        keys = g.generateKeyPair();
        Path pub = Files.createTempFile("bench-jwt", ".pem");
        pub.toFile().deleteOnExit();
        Files.writeString(pub, "-----BEGIN PUBLIC KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(keys.getPublic().getEncoded())
                + "\n-----END PUBLIC KEY-----\n");

        HttpServer sessions = fakeSessionService();
        int stubPort = freePort();
        int chatPort = freePort();
        String java = System.getProperty("java.home") + "/bin/java";
        List<Process> procs = new ArrayList<>();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> procs.forEach(Process::destroy)));
        procs.add(new ProcessBuilder(java, "-Dquarkus.http.port=" + stubPort, "-Dquarkus.log.level=WARN",
                "-jar", root + "/infra/llm-stub/target/quarkus-app/quarkus-run.jar")
                .redirectErrorStream(true).redirectOutput(new File("llm-stub.log")).start());
        procs.add(new ProcessBuilder(java, "-Dquarkus.http.port=" + chatPort, "-Dquarkus.log.level=WARN",
                "-Dmp.jwt.verify.publickey.location=" + pub.toUri(),
                "-Dquarkus.rest-client.session-service.url=http://127.0.0.1:" + sessions.getAddress().getPort(),
                "-Dquarkus.langchain4j.openai.base-url=http://127.0.0.1:" + stubPort + "/v1",
                "-Dquarkus.redis.hosts=redis://" + redisHost + ":" + redisPort,
                "-Dchat.turns-per-minute=1000000", "-Dchat.daily-token-quota=100000000",
                "-jar", root + "/chat-service/target/quarkus-app/quarkus-run.jar")
                .redirectErrorStream(true).redirectOutput(new File("chat-service.log")).start());
        chatUrl = "http://127.0.0.1:" + chatPort;
        waitFor("http://127.0.0.1:" + stubPort + "/v1/models");
        waitFor(chatUrl + "/q/health/ready");

        Thread subscriber = Thread.ofPlatform().daemon().start(() -> subscribe(redisHost, redisPort));
        Thread.sleep(300);

        String message = "benchmark turn [[stub:first-token-delay=" + firstTokenDelay + "]] [[stub:tokens=20]]";
        run(40, 4, message); // warm-up (JIT, connection pools), not reported
        StringBuilder report = new StringBuilder();
        report.append(String.format("turns=%d, stand-in first-token delay=%d ms, token delay 15 ms, 20 tokens per answer%n",
                turns, firstTokenDelay));
        report.append("| concurrency | p50 overhead (ms) | p99 overhead (ms) | p50 stack TTFT (ms) | p99 stack TTFT (ms) | failed |\n");
        report.append("| --- | --- | --- | --- | --- | --- |\n");
        // baseline: the stand-in alone (direct streaming call, first content chunk), to separate its own cost
        String stubUrl = "http://127.0.0.1:" + stubPort + "/v1/chat/completions";
        List<Double> direct = new ArrayList<>();
        for (int i = 0; i < Math.min(turns, 100); i++) {
            direct.add(directStub(stubUrl, message));
        }
        Collections.sort(direct);
        Result base = new Result(direct, 0);
        report.append(String.format("| stand-in alone, 1 | %.1f | %.1f | %.1f | %.1f | 0 |%n",
                base.p(0.50) - firstTokenDelay, base.p(0.99) - firstTokenDelay, base.p(0.50), base.p(0.99)));
        for (int c : new int[] {1, 20}) {
            double[] before = serverTtft();
            Result r = run(turns, c, message);
            double[] after = serverTtft();
            System.err.printf("concurrency %d: server-side mean TTFT (request received -> first model token) %.1f ms%n",
                    c, (after[0] - before[0]) / Math.max(1, after[1] - before[1]) * 1000);
            report.append(String.format("| %d | %.1f | %.1f | %.1f | %.1f | %d |%n", c,
                    r.p(0.50) - firstTokenDelay, r.p(0.99) - firstTokenDelay, r.p(0.50), r.p(0.99), r.failed));
        }
        System.out.print(report);
        procs.forEach(Process::destroy);
        sessions.stop(0);
        subscriber.interrupt();
        System.exit(0);
    }

    /** A streaming call straight to the stand-in: milliseconds to the first non-empty content delta. */
    static double directStub(String url, String message) throws Exception {
        String body = "{\"model\":\"stub-model\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\""
                + message + " " + UUID.randomUUID() + "\"}]}";
        long t0 = System.nanoTime();
        HttpResponse<InputStream> r = HTTP.send(HttpRequest.newBuilder(URI.create(url))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        try (var lines = new java.io.BufferedReader(new java.io.InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
            String l;
            while ((l = lines.readLine()) != null) {
                if (l.contains("\"content\":\"") && !l.contains("\"content\":\"\"")) {
                    double ms = (System.nanoTime() - t0) / 1e6;
                    while (lines.readLine() != null) {
                        // drain so the connection is reused
                    }
                    return ms;
                }
            }
        }
        throw new IllegalStateException("no content from the stand-in");
    }

    /** chat_time_to_first_token_seconds {sum, count} from chat-service's Prometheus endpoint. */
    static double[] serverTtft() throws Exception {
        String m = HTTP.send(HttpRequest.newBuilder(URI.create(chatUrl + "/q/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        double sum = 0;
        double count = 0;
        for (String l : m.split("\n")) {
            if (l.startsWith("chat_time_to_first_token_seconds_sum")) {
                sum = Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1));
            } else if (l.startsWith("chat_time_to_first_token_seconds_count")) {
                count = Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1));
            }
        }
        return new double[] {sum, count};
    }

    record Result(List<Double> ms, int failed) {
        double p(double q) {
            if (ms.isEmpty()) {
                return Double.NaN;
            }
            int i = (int) Math.ceil(q * ms.size()) - 1;
            return ms.get(Math.max(0, Math.min(ms.size() - 1, i)));
        }
    }

    static Result run(int turns, int concurrency, String message) throws Exception {
        List<Double> samples = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger failed = new AtomicInteger();
        AtomicInteger left = new AtomicInteger(turns);
        ExecutorService pool = Executors.newFixedThreadPool(concurrency);
        for (int w = 0; w < concurrency; w++) {
            pool.submit(() -> {
                while (left.getAndDecrement() > 0) {
                    try {
                        samples.add(turn(message));
                    } catch (Exception e) {
                        if (failed.incrementAndGet() <= 3) {
                            System.err.println("turn failed: " + e);
                        }
                    }
                }
            });
        }
        pool.shutdown();
        pool.awaitTermination(30, TimeUnit.MINUTES);
        List<Double> sorted = new ArrayList<>(samples);
        Collections.sort(sorted);
        return new Result(sorted, failed.get());
    }

    /** One turn in a fresh session of a fresh user: POST -> first delta on pub/sub, in milliseconds. */
    static double turn(String message) throws Exception {
        String user = UUID.randomUUID().toString();
        String sid = UUID.randomUUID().toString();
        OWNER.put(sid, user);
        MESSAGES.put(sid, Collections.synchronizedList(new ArrayList<>()));
        CompletableFuture<Long> first = new CompletableFuture<>();
        FIRST_DELTA.put(sid, first);
        String body = "{\"session_id\":\"" + sid + "\",\"message\":\"" + message + "\"}";
        long t0 = System.nanoTime();
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(chatUrl + "/api/chat"))
                .header("Authorization", "Bearer " + token(user)).header("Content-Type", "application/json")
                .header("Prefer", "respond-async").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 202) {
            throw new IllegalStateException("status " + r.statusCode() + " " + r.body());
        }
        long t1 = first.get(30, TimeUnit.SECONDS);
        FIRST_DELTA.remove(sid);
        return (t1 - t0) / 1e6;
    }

    /** PSUBSCRIBE chat:events:* over raw RESP; records the arrival of each session's first message.delta. */
    static void subscribe(String host, int port) {
        try (Socket s = new Socket(host, port)) {
            OutputStream out = s.getOutputStream();
            out.write("*2\r\n$10\r\nPSUBSCRIBE\r\n$13\r\nchat:events:*\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = new BufferedInputStream(s.getInputStream());
            Pattern delta = Pattern.compile("\"type\":\"message\\.delta\".*?\"session_id\":\"([0-9a-f-]+)\"");
            while (true) {
                Object msg = read(in);
                long now = System.nanoTime();
                if (msg instanceof List<?> l && l.size() == 4 && "pmessage".equals(l.get(0))) {
                    Matcher m = delta.matcher((String) l.get(3));
                    if (m.find()) {
                        CompletableFuture<Long> f = FIRST_DELTA.get(m.group(1));
                        if (f != null) {
                            f.complete(now);
                        }
                    }
                }
            }
        } catch (IOException e) {
            System.err.println("subscriber stopped: " + e);
        }
    }

    static Object read(InputStream in) throws IOException {
        int type = in.read();
        String line = line(in);
        switch (type) {
            case '*' -> {
                int n = Integer.parseInt(line);
                List<Object> items = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    items.add(read(in));
                }
                return items;
            }
            case '$' -> {
                int n = Integer.parseInt(line);
                if (n < 0) {
                    return null;
                }
                byte[] b = in.readNBytes(n);
                in.readNBytes(2);
                return new String(b, StandardCharsets.UTF_8);
            }
            case -1 -> throw new IOException("closed");
            default -> {
                return line;
            }
        }
    }

    static String line(InputStream in) throws IOException {
        StringBuilder sb = new StringBuilder();
        int c;
        while ((c = in.read()) != '\r') {
            if (c == -1) {
                throw new IOException("closed");
            }
            sb.append((char) c);
        }
        in.read();
        return sb.toString();
    }

    static String token(String user) throws Exception {
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        long now = System.currentTimeMillis() / 1000;
        String header = b64.encodeToString("{\"alg\":\"RS256\",\"typ\":\"at+jwt\",\"kid\":\"bench\"}".getBytes());
        String payload = b64.encodeToString(("{\"iss\":\"chat-platform\",\"aud\":\"chat-platform\",\"sub\":\"" + user
                + "\",\"upn\":\"" + user + "@bench.test\",\"groups\":[\"user\"],\"jti\":\"" + UUID.randomUUID()
                + "\",\"iat\":" + now + ",\"exp\":" + (now + 900) + "}").getBytes());
        Signature sig = Signature.getInstance("SHA256withRSA");
        sig.initSign(keys.getPrivate());
        sig.update((header + "." + payload).getBytes(StandardCharsets.US_ASCII));
        return header + "." + payload + "." + b64.encodeToString(sig.sign());
    }

    /** Just enough of session-service for a turn: get session, history, append (in memory, ownership by sub). */
    static HttpServer fakeSessionService() throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(Executors.newFixedThreadPool(16));
        AtomicInteger ids = new AtomicInteger();
        server.createContext("/api/", ex -> {
            String[] parts = ex.getRequestURI().getPath().split("/");
            String sid = parts.length > 3 ? parts[3] : null;
            String method = ex.getRequestMethod();
            ex.getRequestBody().readAllBytes();
            if (sid == null || !OWNER.containsKey(sid)) {
                send(ex, 404, "{}");
            } else if (parts.length == 4) {
                send(ex, 200, "{\"id\":\"" + sid + "\",\"title\":\"bench\"}");
            } else if (method.equals("GET")) {
                send(ex, 200, "{\"items\":[]}");
            } else {
                List<String> list = MESSAGES.get(sid);
                int seq = list.size() + 1;
                list.add("m");
                send(ex, 201, "{\"id\":\"" + UUID.randomUUID() + "\",\"session_id\":\"" + sid + "\",\"seq\":" + seq
                        + ",\"role\":\"user\",\"content\":\"\",\"n\":" + ids.incrementAndGet() + "}");
            }
        });
        server.start();
        return server;
    }

    static void send(HttpExchange ex, int status, String body) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().add("Content-Type", "application/json");
        ex.sendResponseHeaders(status, b.length);
        ex.getResponseBody().write(b);
        ex.close();
    }

    static void waitFor(String url) throws Exception {
        long deadline = System.currentTimeMillis() + 120_000;
        while (System.currentTimeMillis() < deadline) {
            try {
                if (HTTP.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.discarding())
                        .statusCode() == 200) {
                    return;
                }
            } catch (IOException ignored) {
                // not up yet
            }
            Thread.sleep(250);
        }
        throw new IllegalStateException(url + " did not come up (see *.log)");
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
