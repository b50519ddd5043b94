package io.chatplatform.llmstub;

import io.chatplatform.llmstub.Directives.Fault;
import io.chatplatform.llmstub.Dtos.Stats;
import io.chatplatform.llmstub.Dtos.Tuning;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/** Runtime state of the stand-in: admin tuning, queued faults, "times=N" counters and statistics. */
@ApplicationScoped
public class StubControls {

    private static final Tuning EMPTY = new Tuning(null, null, null);

    private final LlmStubConfig config;
    private final AtomicReference<Tuning> tuning = new AtomicReference<>(EMPTY);
    private final Deque<Fault> queued = new ArrayDeque<>();
    private final Map<String, Counter> markerCounters = new ConcurrentHashMap<>();

    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong streamed = new AtomicLong();
    private final AtomicLong toolCalls = new AtomicLong();
    private final AtomicLong badRequests = new AtomicLong();
    private final AtomicLong inFlight = new AtomicLong();
    private final Map<String, AtomicLong> byFault = new ConcurrentHashMap<>();

    private record Counter(AtomicLong hits, AtomicLong lastSeenNanos) {
    }

    /**
     * One request as the log keeps it: the last user message's text, the max_tokens it asked for and its messages
     * as {@code role: text} (each cut to {@value #INPUT_CHARS} characters, so a long history cannot fill the heap).
     */
    public record Logged(String lastUser, Integer maxTokens, List<String> inputs) {
    }

    static final int INPUT_CHARS = 200;

    private static final int LOG_SIZE = 2000;
    private final java.util.concurrent.ConcurrentLinkedDeque<Logged> log = new java.util.concurrent.ConcurrentLinkedDeque<>();

    /** Remembers a request (the newest {@value #LOG_SIZE}), so a test can count its own requests by a marker. */
    public void log(String lastUser, Integer maxTokens, List<ChatRequest.Msg> messages) {
        List<String> inputs = messages.stream().map(m -> {
            String line = m.role() + ": " + (m.text() == null ? "" : m.text());
            return line.length() > INPUT_CHARS ? line.substring(0, INPUT_CHARS) : line;
        }).toList();
        log.addLast(new Logged(lastUser, maxTokens, inputs));
        while (log.size() > LOG_SIZE) {
            log.pollFirst();
        }
    }

    /** The logged requests whose last user message contains {@code marker}, oldest first. */
    public List<Logged> logged(String marker) {
        return log.stream().filter(l -> l.lastUser().contains(marker)).toList();
    }

    public StubControls(LlmStubConfig config) {
        this.config = config;
    }

    /** The admin tuning as set (nulls = configured default). */
    public Tuning tuning() {
        return tuning.get();
    }

    public void setTuning(Tuning t) {
        tuning.set(t == null ? EMPTY : t);
    }

    /** Configured defaults overlaid with the admin tuning. */
    public long firstTokenDelayMs() {
        Long v = tuning.get().firstTokenDelayMs();
        return v != null ? v : config.firstTokenDelayMs();
    }

    public long tokenDelayMs() {
        Long v = tuning.get().tokenDelayMs();
        return v != null ? v : config.tokenDelayMs();
    }

    public Integer answerTokens() {
        return tuning.get().answerTokens();
    }

    public synchronized void queueFault(Fault f, int times) {
        for (int i = 0; i < times; i++) {
            queued.addLast(f);
        }
    }

    public synchronized Fault pollQueuedFault() {
        return queued.pollFirst();
    }

    public synchronized List<String> pendingFaults() {
        List<String> out = new ArrayList<>();
        queued.forEach(f -> out.add(f.label));
        return out;
    }

    public synchronized void clearFaults() {
        queued.clear();
    }

    /**
     * For a fault limited to N requests: true while fewer than N requests with the same key (marker or header
     * plus user text) have failed. Counters are forgotten after a quiet period so a rerun test fails again.
     */
    public boolean consumeTimes(String key, int times) {
        long now = System.nanoTime();
        long ttl = config.markerCounterTtl().toNanos();
        if (markerCounters.size() > 256) {
            markerCounters.values().removeIf(c -> now - c.lastSeenNanos().get() > ttl);
        }
        Counter c = markerCounters.compute(key, (k, old) ->
                old == null || now - old.lastSeenNanos().get() > ttl
                        ? new Counter(new AtomicLong(), new AtomicLong(now)) : old);
        c.lastSeenNanos().set(now);
        return c.hits().getAndIncrement() < times;
    }

    public void countRequest(boolean stream) {
        requests.incrementAndGet();
        if (stream) {
            streamed.incrementAndGet();
        }
    }

    public void countFault(Fault f) {
        byFault.computeIfAbsent(f.label, k -> new AtomicLong()).incrementAndGet();
    }

    public void countToolCall() {
        toolCalls.incrementAndGet();
    }

    public void countBadRequest() {
        badRequests.incrementAndGet();
    }

    public void enter() {
        inFlight.incrementAndGet();
    }

    public void leave() {
        inFlight.decrementAndGet();
    }

    public Stats stats() {
        Map<String, Long> faults = new TreeMap<>();
        for (Fault f : Fault.values()) {
            AtomicLong n = byFault.get(f.label);
            faults.put(f.label, n == null ? 0 : n.get());
        }
        return new Stats(requests.get(), streamed.get(), toolCalls.get(), badRequests.get(), inFlight.get(), faults,
                pendingFaults(), new Tuning(firstTokenDelayMs(), tokenDelayMs(), answerTokens()));
    }

    /** Back to the configured defaults: tuning, queued faults, counters and statistics. */
    public void reset() {
        setTuning(null);
        clearFaults();
        markerCounters.clear();
        requests.set(0);
        streamed.set(0);
        toolCalls.set(0);
        badRequests.set(0);
        byFault.clear();
    }
}
