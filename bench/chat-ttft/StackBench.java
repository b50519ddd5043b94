// Chat turn overhead through the whole local stack (run by bench/run.sh, which starts infra/local/run.sh):
//   client -> nginx ingress -> chat-service -> model stand-in -> Redis -> relay-service -> WebSocket client,
// time to first token (POST /api/chat with Prefer: respond-async -> first message.delta frame on the session's
// WebSocket), against a streaming call straight to the stand-in at the same concurrency (first content chunk).
// The two alternate (direct, stack, direct, stack, ... REPS times per concurrency level), each run after a bounded
// wait for a quiet machine, and each stack run reports the CPU milliseconds per turn of every process of the stack
// (utime+stime deltas from /proc). Turns reuse a pool of sessions, each with its WebSocket opened once (a user
// chatting in an open tab), so session creation and the upgrade are not in the figure.
// JDK-only multi-file source program: java StackBench.java (with Api.java, Conversation.java and Procs.java beside
// it; see README.md).
//
// Signs in like a browser: POST /api/auth/magic-link, reads the 6-digit code from the auth-service log line
// "Local sign-in link: ... (code NNNNNN)" (the local stack logs it), POST /api/auth/verify {code} with the nonce
// cookie; refreshes with the refresh cookie before the 15-minute access token runs out.

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.CookieManager;
import java.net.CookiePolicy;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

public class StackBench {

    static String env(String name, String dflt) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? dflt : v.trim();
    }

    static final String STUB = env("STUB_URL", "http://127.0.0.1:28089");
    static final int FIRST_TOKEN_DELAY_MS = Integer.parseInt(env("FIRST_TOKEN_DELAY_MS", "200"));
    static final String LEVELS = env("LEVELS", "1:200,20:200,100:400"); // concurrency:turns per run
    static final int REPS = Integer.parseInt(env("REPS", "3"));           // alternated runs per level and side
    static final int WARMUP_TURNS = Integer.parseInt(env("WARMUP_TURNS", "400"));  // per warm-up round
    static final int WARMUP_ROUNDS = Integer.parseInt(env("WARMUP_ROUNDS", "12"));
    static final int WARMUP_MIN_ROUNDS = Integer.parseInt(env("WARMUP_MIN_ROUNDS", "4"));
    static final double WARMUP_TOLERANCE = Double.parseDouble(env("WARMUP_TOLERANCE", "0.05"));
    static final double LOAD_MAX = Double.parseDouble(env("LOAD_MAX", "0.5"));
    static final int LOAD_WAIT_S = Integer.parseInt(env("LOAD_WAIT_S", "120"));
    static final Path PIDS_DIR = System.getenv("PIDS_DIR") == null ? null : Path.of(System.getenv("PIDS_DIR"));
    static final String RESULT_FILE = System.getenv("RESULT_FILE");
    static final BlockingQueue<Conversation> IDLE = new LinkedBlockingQueue<>();
    static final String MESSAGE = "benchmark turn [[stub:first-token-delay=" + FIRST_TOKEN_DELAY_MS + ",tokens=20,token-delay=15]]";

    // HTTP/1.1 like a browser behind nginx (no h2c upgrade offer on plain http)
    static final HttpClient STUB_HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10)).build();

    public static void main(String[] args) throws Exception {
        int pool = 0;
        for (String level : LEVELS.split(",")) {
            pool = Math.max(pool, Integer.parseInt(level.split(":")[0]));
        }
        Api.signIn();
        // a few sessions more than the highest concurrency: one just finished may still be closing its turn
        pool = Integer.parseInt(env("POOL", Integer.toString(pool + 10)));
        for (int i = 0; i < pool; i++) {
            IDLE.add(new Conversation(Api.createSession(Api.token())));
        }
        System.err.println("signed in through the ingress; " + pool + " sessions, each with its WebSocket");
        Map<String, Long> pids = Procs.fromPidFiles(PIDS_DIR);
        pids.forEach((name, pid) -> {
            String flags = Procs.jvmFlags(pid);
            if (flags != null && !name.equals("load-generator")) {
                emit("flags", name, flags);
            }
        });
        // warm-up (JIT up to C2, pools, nginx upstream keep-alive), not reported
        int warm = Math.min(20, pool);
        long w0 = System.nanoTime();
        String rounds = warmUp(warm, pids);
        direct(Math.min(WARMUP_TURNS, 200), warm);
        emit("warmup", rounds + ", then " + Math.min(WARMUP_TURNS, 200) + " direct calls",
                String.format(Locale.ROOT, "%.0f", (System.nanoTime() - w0) / 1e9));
        for (String level : LEVELS.split(",")) {
            int c = Integer.parseInt(level.split(":")[0]);
            int n = Integer.parseInt(level.split(":")[1]);
            for (int rep = 1; rep <= REPS; rep++) {
                run("direct", c, n, rep, pids);
                run("stack", c, n, rep, pids);
            }
        }
        System.exit(0);
    }

    /**
     * Rounds of WARMUP_TURNS turns until the stack's CPU per turn (every process but this one) settles: the JIT
     * compiles for minutes after start, and a run measured before it is done counts the compiler as the turn's cost
     * (a c100 run after 400 turns measured 6.8 ms of chat-service CPU per turn, 3.3 once settled). Settled = two
     * rounds in a row within WARMUP_TOLERANCE of the round before (one such step can be noise on a slope), after at
     * least WARMUP_MIN_ROUNDS and at most WARMUP_ROUNDS rounds.
     */
    static String warmUp(int concurrency, Map<String, Long> pids) throws Exception {
        List<String> perRound = new ArrayList<>();
        double previous = Double.NaN;
        int round = 0;
        int steady = 0; // rounds in a row within the tolerance of the one before
        while (round < WARMUP_ROUNDS) {
            round++;
            Map<String, Double> cpu0 = Procs.cpuMs(pids);
            Result r = turns(WARMUP_TURNS, concurrency);
            Map<String, Double> cpu1 = Procs.cpuMs(pids);
            double ms = 0;
            for (Map.Entry<String, Double> e : cpu0.entrySet()) {
                if (!e.getKey().equals("load-generator")) {
                    ms += cpu1.getOrDefault(e.getKey(), e.getValue()) - e.getValue();
                }
            }
            double perTurn = ms / Math.max(1, r.ms.size());
            perRound.add(fmt(perTurn));
            System.err.println("warm-up round " + round + ": stack CPU " + fmt(perTurn) + " ms per turn");
            boolean close = round >= 2 && Math.abs(perTurn - previous) <= WARMUP_TOLERANCE * previous;
            steady = close ? steady + 1 : 0;
            if (round >= WARMUP_MIN_ROUNDS && steady >= 2) {
                break;
            }
            previous = perTurn;
        }
        boolean settled = steady >= 2 && round >= WARMUP_MIN_ROUNDS;
        return round + " rounds of " + WARMUP_TURNS + " turns at concurrency " + concurrency
                + (settled ? "" : ", the cap, before it settled") + " (until the stack's CPU per turn was within " + Math.round(WARMUP_TOLERANCE * 100)
                + "% of the round before twice in a row, at least " + WARMUP_MIN_ROUNDS + " rounds; ms per turn by round: " + String.join(", ", perRound) + ")";
    }

    /** One measured run, after a bounded wait for a quiet machine; CPU per turn of every process over the run. */
    static void run(String side, int c, int n, int rep, Map<String, Long> pids) throws Exception {
        double load = Procs.waitQuiet(LOAD_MAX, LOAD_WAIT_S);
        Map<String, Double> cpu0 = Procs.cpuMs(pids);
        SPLITS.clear();
        Result r = side.equals("stack") ? turns(n, c) : direct(n, c);
        Map<String, Double> cpu1 = Procs.cpuMs(pids);
        int done = r.ms.size();
        emit("run", side, c, rep, done, r.failed, fmt(r.p(0.50)), fmt(r.p(0.99)), fmt(load));
        for (Map.Entry<String, Double> e : cpu0.entrySet()) {
            double ms = cpu1.getOrDefault(e.getKey(), e.getValue()) - e.getValue();
            emit("cpu", side, c, rep, e.getKey(), fmt(done == 0 ? Double.NaN : ms / done));
        }
        for (Double ms : r.ms) {
            emit("sample", side, c, rep, fmt(ms));
        }
        if (!SPLITS.isEmpty()) {
            List<Conversation.Split> parts = List.copyOf(SPLITS);
            emit("split", side, c, rep, parts.size(), fmt(Conversation.Split.median(parts, Conversation.Split::accepted)),
                    fmt(Conversation.Split.median(parts, Conversation.Split::preModel)),
                    fmt(Conversation.Split.median(parts, Conversation.Split::model)),
                    fmt(Conversation.Split.median(parts, Conversation.Split::delivery)),
                    fmt(Conversation.Split.mean(parts, Conversation.Split::preModel)),
                    fmt(Conversation.Split.mean(parts, Conversation.Split::model)),
                    fmt(Conversation.Split.mean(parts, Conversation.Split::delivery)));
        }
        System.out.printf(Locale.ROOT, "concurrency %d run %d %s: TTFT p50 %.1f p99 %.1f ms, %d samples, %d failed, load %.2f%n",
                c, rep, side, r.p(0.50), r.p(0.99), done, r.failed, load);
    }

    /** The turns' time split (see {@link Conversation.Split}), of the stack run in progress. */
    static final List<Conversation.Split> SPLITS = Collections.synchronizedList(new ArrayList<>());

    static String fmt(double v) {
        return String.format(Locale.ROOT, "%.2f", v);
    }

    /** A tab-separated row for bench/report.py: kind, then its fields. */
    static synchronized void emit(Object... fields) {
        if (RESULT_FILE == null) {
            return;
        }
        StringBuilder row = new StringBuilder();
        for (Object f : fields) {
            row.append(row.isEmpty() ? "" : "\t").append(f);
        }
        try {
            Files.writeString(Path.of(RESULT_FILE), row + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
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

    interface Sample {
        double run() throws Exception;
    }

    static Result load(int count, int concurrency, Sample sample) throws Exception {
        List<Double> samples = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger failed = new AtomicInteger();
        Map<String, Integer> kinds = new java.util.concurrent.ConcurrentSkipListMap<>();
        AtomicInteger left = new AtomicInteger(count);
        ExecutorService pool = Executors.newFixedThreadPool(concurrency);
        for (int w = 0; w < concurrency; w++) {
            pool.submit(() -> {
                while (left.getAndDecrement() > 0) {
                    try {
                        samples.add(sample.run());
                    } catch (Exception e) {
                        if (failed.incrementAndGet() <= 3) {
                            System.err.println("sample failed: " + e);
                        }
                        kinds.merge(kind(e), 1, Integer::sum);
                    }
                }
            });
        }
        pool.shutdown();
        if (!pool.awaitTermination(15, TimeUnit.MINUTES)) {
            pool.shutdownNow();
        }
        List<Double> sorted = new ArrayList<>(samples);
        Collections.sort(sorted);
        if (!kinds.isEmpty()) {
            System.err.println("failures by kind: " + kinds);
        }
        return new Result(sorted, failed.get());
    }

    /** A failure's kind for the summary: the exception and the start of its message, without ids or JSON. */
    static String kind(Throwable e) {
        Throwable t = e instanceof java.util.concurrent.ExecutionException && e.getCause() != null ? e.getCause() : e;
        String m = String.valueOf(t.getMessage()).replaceAll("[0-9a-f]{8}-[0-9a-f-]{27}", "<id>");
        int json = m.indexOf('{');
        return t.getClass().getSimpleName() + ": " + (json >= 0 ? m.substring(0, json) : m).trim();
    }

    static Result turns(int count, int concurrency) throws Exception {
        return load(count, concurrency, StackBench::turn);
    }

    static Result direct(int count, int concurrency) throws Exception {
        return load(count, concurrency, StackBench::directStub);
    }

    /** A streaming call straight to the stand-in: milliseconds to the first non-empty content delta. */
    static double directStub() throws Exception {
        String body = "{\"model\":\"stub-model\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\""
                + MESSAGE + " " + UUID.randomUUID() + "\"}]}";
        long t0 = System.nanoTime();
        HttpResponse<InputStream> r = STUB_HTTP.send(HttpRequest.newBuilder(URI.create(STUB + "/v1/chat/completions"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
            String l;
            while ((l = lines.readLine()) != null) {
                if (l.contains("\"content\":\"") && !l.contains("\"content\":\"\"")) {
                    double ms = (System.nanoTime() - t0) / 1e6;
                    while (lines.readLine() != null) {
                        // drain, like a client reading the whole answer
                    }
                    return ms;
                }
            }
        }
        throw new IllegalStateException("no content from the stand-in");
    }


    /** One turn in an idle session of the pool (see {@link Conversation#turn}); a failed turn's socket is dropped. */
    static double turn() throws Exception {
        Conversation c = IDLE.take();
        boolean clean = false;
        try {
            double ms = c.turn(MESSAGE + " " + UUID.randomUUID());
            if (c.split != null) {
                SPLITS.add(c.split);
            }
            clean = true;
            return ms;
        } finally {
            if (!clean) {
                c.drop(); // frames of a failed turn must not land in the next one
            }
            IDLE.add(c);
        }
    }
}
