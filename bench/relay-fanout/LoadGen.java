import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
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
import java.util.BitSet;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The load generator of the fan-out benchmark: CLIENTS WebSocket clients, one per session
 * {@code bench-<run>-<i>}, in their own process (the publisher is another one). Driven over stdin by
 * fanout.py:
 * <pre>
 *   MEASURE phase expectedPerClient drainSeconds  -> waits until every client has every event of the phase (or
 *                                                   the drain time is over), prints one RESULT line
 *   QUIT
 * </pre>
 * Lag = {@code sent_nanos} the publisher wrote just before its EVAL -> frame received here; both read
 * System.nanoTime (CLOCK_MONOTONIC on Linux, one clock for every process of the machine).
 * Args: port clients runId privateKeyPem [clientsPerHttpClient].
 */
public class LoadGen {

    static final int MAX_PHASES = 32;

    /** What one client saw of one phase. */
    static final class PhaseStats {
        final BitSet seen = new BitSet();
        long[] lags = new long[64];
        int count;
        int duplicates;

        void add(int n, long lag) {
            if (seen.get(n)) {
                duplicates++;
                return;
            }
            seen.set(n);
            if (count == lags.length) {
                lags = Arrays.copyOf(lags, count * 2);
            }
            lags[count++] = lag;
        }
    }

    static final class Client implements WebSocket.Listener {
        final PhaseStats[] phases = new PhaseStats[MAX_PHASES];
        final CountDownLatch ready = new CountDownLatch(1);
        final StringBuilder partial = new StringBuilder();
        volatile int closeCode = -1;

        @Override
        public void onOpen(WebSocket ws) {
            ws.request(Long.MAX_VALUE);
        }

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            long now = System.nanoTime();
            CharSequence s = data;
            if (!last || partial.length() > 0) {
                partial.append(data);
                if (!last) {
                    return null;
                }
                s = partial.toString();
                partial.setLength(0);
            }
            String text = s.toString();
            long sent = number(text, "\"sent_nanos\":");
            if (sent < 0) {
                if (text.contains("\"type\":\"ready\"")) {
                    ready.countDown();
                }
                return null;
            }
            int phase = (int) number(text, "\"phase\":");
            int n = (int) number(text, "\"n\":");
            if (phase < 0 || phase >= MAX_PHASES || n < 0) {
                return null;
            }
            synchronized (this) {
                PhaseStats p = phases[phase];
                if (p == null) {
                    p = phases[phase] = new PhaseStats();
                }
                p.add(n, now - sent);
            }
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
            closeCode = statusCode;
            ready.countDown();
            return null;
        }

        @Override
        public void onError(WebSocket ws, Throwable error) {
            closeCode = 0;
            ready.countDown();
        }

        synchronized int got(int phase) {
            PhaseStats p = phases[phase];
            return p == null ? 0 : p.count;
        }
    }

    /** The non-negative integer after {@code key}, or -1. */
    static long number(String s, String key) {
        int i = s.indexOf(key);
        if (i < 0) {
            return -1;
        }
        long v = 0;
        int j = i + key.length();
        boolean any = false;
        for (; j < s.length(); j++) {
            char c = s.charAt(j);
            if (c < '0' || c > '9') {
                break;
            }
            v = v * 10 + (c - '0');
            any = true;
        }
        return any ? v : -1;
    }

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        int clients = Integer.parseInt(args[1]);
        String runId = args[2];
        PrivateKey key = privateKey(Path.of(args[3]));
        int perHttpClient = args.length > 4 ? Integer.parseInt(args[4]) : 500;

        String proto = URLEncoder.encode("quarkus-http-upgrade#Authorization#Bearer " + jwt(key, UUID.randomUUID().toString()),
                StandardCharsets.UTF_8).replace("+", "%20");
        List<HttpClient> https = new ArrayList<>();
        List<Client> all = new ArrayList<>();
        List<WebSocket> sockets = new ArrayList<>();
        long t0 = System.nanoTime();
        List<CompletableFuture<WebSocket>> opening = new ArrayList<>();
        for (int i = 0; i < clients; i++) {
            if (i % perHttpClient == 0) { // one selector thread per HttpClient: spread the reading
                https.add(HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                        .connectTimeout(Duration.ofSeconds(30)).build());
            }
            Client c = new Client();
            all.add(c);
            opening.add(https.get(https.size() - 1).newWebSocketBuilder().header("Origin", "http://localhost:8080")
                    .subprotocols("quarkus", proto).connectTimeout(Duration.ofSeconds(60))
                    .buildAsync(URI.create("ws://127.0.0.1:" + port + "/ws/sessions/bench-" + runId + "-" + i), c));
            if (opening.size() % 100 == 0) {
                for (CompletableFuture<WebSocket> f : opening.subList(opening.size() - 100, opening.size())) {
                    sockets.add(f.join()); // ramp in steps of 100
                }
            }
        }
        for (CompletableFuture<WebSocket> f : opening.subList(sockets.size(), opening.size())) {
            sockets.add(f.join());
        }
        for (Client c : all) {
            if (!c.ready.await(60, TimeUnit.SECONDS) || c.closeCode >= 0) {
                throw new IllegalStateException("a client never got ready (close " + c.closeCode + ")");
            }
        }
        System.out.printf("READY %d%n", (System.nanoTime() - t0) / 1_000_000);
        System.out.flush();

        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null) {
            String[] cmd = line.trim().split("\\s+");
            if (cmd[0].equals("QUIT")) {
                break;
            }
            if (cmd[0].equals("MEASURE")) {
                measure(all, Integer.parseInt(cmd[1]), Integer.parseInt(cmd[2]), Double.parseDouble(cmd[3]));
            }
        }
        for (WebSocket ws : sockets) {
            ws.abort();
        }
        System.exit(0);
    }

    static void measure(List<Client> all, int phase, int expectedPerClient, double drainSeconds) throws InterruptedException {
        long deadline = System.nanoTime() + (long) (drainSeconds * 1e9);
        for (Client c : all) {
            while (c.got(phase) < expectedPerClient && c.closeCode < 0 && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
        }
        long delivered = 0;
        long duplicates = 0;
        long closed = 0;
        int samples = 0;
        for (Client c : all) {
            synchronized (c) {
                PhaseStats p = c.phases[phase];
                if (p != null) {
                    samples += p.count;
                }
            }
        }
        long[] lags = new long[samples];
        int k = 0;
        for (Client c : all) {
            if (c.closeCode >= 0) {
                closed++;
            }
            synchronized (c) {
                PhaseStats p = c.phases[phase];
                if (p == null) {
                    continue;
                }
                // only the events of this phase that were published (n < expected) count as delivered
                delivered += Math.min(p.seen.cardinality(), expectedPerClient);
                duplicates += p.duplicates;
                System.arraycopy(p.lags, 0, lags, k, p.count);
                k += p.count;
            }
        }
        Arrays.sort(lags);
        System.out.printf(java.util.Locale.ROOT, "RESULT %d %d %d %d %d %.2f %.2f %.2f %.2f %d%n", phase, delivered,
                (long) expectedPerClient * all.size(), duplicates, samples, pct(lags, 50), pct(lags, 90), pct(lags, 99),
                lags.length == 0 ? 0 : lags[lags.length - 1] / 1e6, closed);
        System.out.flush();
    }

    static double pct(long[] sorted, double p) {
        if (sorted.length == 0) {
            return 0;
        }
        int i = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))] / 1e6;
    }

    static PrivateKey privateKey(Path pem) throws Exception {
        String b64 = Files.readString(pem).replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
        return KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(b64)));
    }

    /** An access token shaped like auth-service's, signed with the relay-service test key (valid 2 h). */
    static String jwt(PrivateKey key, String sub) throws Exception {
        Base64.Encoder enc = Base64.getUrlEncoder().withoutPadding();
        long now = System.currentTimeMillis() / 1000;
        String header = enc.encodeToString("{\"alg\":\"RS256\",\"typ\":\"at+jwt\",\"kid\":\"test-key\"}".getBytes(StandardCharsets.UTF_8));
        String claims = enc.encodeToString(("{\"iss\":\"chat-platform\",\"aud\":\"chat-platform\",\"sub\":\"" + sub
                + "\",\"upn\":\"bench@example.test\",\"groups\":[\"user\"],\"jti\":\"" + UUID.randomUUID() + "\",\"iat\":" + now
                + ",\"exp\":" + (now + 7200) + "}").getBytes(StandardCharsets.UTF_8));
        Signature s = Signature.getInstance("SHA256withRSA");
        s.initSign(key);
        s.update((header + "." + claims).getBytes(StandardCharsets.US_ASCII));
        return header + "." + claims + "." + enc.encodeToString(s.sign());
    }
}
