package io.chatplatform.chat.turn;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.ToolExecutionResultMessage;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.output.TokenUsage;
import io.chatplatform.chat.ChatConfig;
import io.chatplatform.chat.UserData;
import io.chatplatform.chat.api.ChatResponse.ToolCall;
import io.chatplatform.chat.api.ChatResponse.Usage;
import io.chatplatform.chat.events.EventPublisher;
import io.chatplatform.chat.limits.RateLimitHeaders;
import io.chatplatform.chat.limits.TokenQuota;
import io.chatplatform.chat.llm.ModelCaller;
import io.chatplatform.chat.llm.ModelException;
import io.chatplatform.chat.llm.ModelStream;
import io.chatplatform.chat.session.SessionGateway;
import io.chatplatform.chat.session.SessionGateway.StoredMessage;
import io.chatplatform.chat.tools.FactStore;
import io.chatplatform.chat.tools.ToolDispatcher;
import io.chatplatform.chat.tools.UserContext;
import io.chatplatform.common.ProblemException;
import io.chatplatform.common.RateLimiter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.redis.datasource.value.ValueCommands;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * One chat turn: checks and stores before the model is called, then streams on a virtual thread (deltas
 * coalesced into events), runs tool rounds, stores the answer and releases the session lock.
 */
@ApplicationScoped
public class TurnService {

    private static final Logger LOG = Logger.getLogger(TurnService.class);
    private static final Duration IDEMPOTENCY_TTL = Duration.ofHours(24);
    private static final String RELEASE = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end";
    static final String CANCEL_CHANNEL = "chat:cancel";

    /** What the resource needs to answer: the ids, and the running turn (null for a replayed result). */
    public record Started(String sessionId, String messageId, CompletableFuture<io.chatplatform.chat.api.ChatResponse> result,
                          io.chatplatform.chat.api.ChatResponse replay, RateLimiter.Decision rate) {
    }

    private final ChatConfig config;
    private final SessionGateway sessions;
    private final EventPublisher events;
    private final ModelCaller caller;
    private final ToolDispatcher tools;
    private final FactStore facts;
    private final TokenQuota quota;
    private final RateLimiter rateLimiter;
    private final UserData userData;
    private final RedisDataSource redis;
    private final ValueCommands<String, String> values;
    private final ObjectMapper mapper;
    private final MeterRegistry registry;
    private final Timer ttft;
    private final Map<String, ActiveTurn> active = new ConcurrentHashMap<>();
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();

    public TurnService(ChatConfig config, SessionGateway sessions, EventPublisher events, ModelCaller caller,
                       ToolDispatcher tools, FactStore facts, TokenQuota quota, RateLimiter rateLimiter,
                       UserData userData, RedisDataSource redis, ObjectMapper mapper, MeterRegistry registry) {
        this.config = config;
        this.sessions = sessions;
        this.events = events;
        this.caller = caller;
        this.tools = tools;
        this.facts = facts;
        this.quota = quota;
        this.rateLimiter = rateLimiter;
        this.userData = userData;
        this.redis = redis;
        this.values = redis.value(String.class);
        this.mapper = mapper;
        this.registry = registry;
        this.ttft = Timer.builder("chat_time_to_first_token").description("request received to first model token")
                .publishPercentileHistogram().register(registry);
    }

    void onStart(@Observes StartupEvent ev) {
        // a cancel may reach another replica than the one running the turn; Redis may come up after us
        Thread.ofVirtual().name("cancel-subscriber").start(() -> {
            while (!executor.isShutdown()) {
                try {
                    redis.pubsub(String.class).subscribe(CANCEL_CHANNEL, this::cancelLocal);
                    return;
                } catch (RuntimeException e) {
                    LOG.warnf("cancel channel subscription failed (%s); retrying", e.getClass().getSimpleName());
                    try {
                        Thread.sleep(2000);
                    } catch (InterruptedException ie) {
                        return;
                    }
                }
            }
        });
    }

    void onStop(@Observes ShutdownEvent ev) {
        active.values().forEach(ActiveTurn::cancel);
        executor.shutdown();
    }

    public static String lockKey(String sid) {
        return "chat:lock:{" + sid + "}";
    }

    public static String turnKey(String uid, String clientMessageId) {
        return "chat:turn:{" + uid + "}:" + clientMessageId;
    }

    static String refKey(String messageId) {
        return "chat:turnref:{" + messageId + "}";
    }

    /**
     * Everything before the model call; throws problems for every rejection, nothing stored on rejection. A turn
     * rejected here (409, 413, 429, 503, ...) is counted as {@code chat_turns_total{outcome="rejected_<status>"}}.
     */
    public Started start(String userId, String auth, String sessionIdOrNull, String message, String clientMessageIdOrNull) {
        try {
            return begin(userId, auth, sessionIdOrNull, message, clientMessageIdOrNull);
        } catch (ProblemException e) {
            registry.counter("chat_turns_total", "outcome", "rejected_" + e.status()).increment();
            throw e;
        }
    }

    private Started begin(String userId, String auth, String sessionIdOrNull, String message, String clientMessageIdOrNull) {
        long t0 = System.nanoTime();
        if (message == null || message.isBlank()) {
            throw ProblemException.badRequest("message must not be blank.");
        }
        if (message.length() > config.maxMessageChars()) {
            throw ProblemException.tooLarge("message exceeds " + config.maxMessageChars() + " characters.");
        }
        String cmid = clientMessageIdOrNull != null ? clientMessageIdOrNull : UUID.randomUUID().toString();
        String turnKey = turnKey(userId, cmid);
        if (clientMessageIdOrNull != null) {
            String previous = redisCall(() -> values.get(turnKey));
            if (previous != null) {
                if (previous.startsWith("pending")) {
                    throw ProblemException.conflict("A turn with this client_message_id is in progress.");
                }
                try {
                    io.chatplatform.chat.api.ChatResponse r = mapper.readValue(previous, io.chatplatform.chat.api.ChatResponse.class);
                    return new Started(r.sessionId(), r.messageId(), null, r, null);
                } catch (Exception e) {
                    LOG.warn("unreadable stored turn result; running the turn again");
                }
            }
        }
        RateLimiter.Decision rate = redisCall(() -> rateLimiter.hit("turn", userId, config.turnsPerMinute(), Duration.ofMinutes(1)));
        if (!rate.allowed()) {
            throw rateHeaders(ProblemException.tooManyRequests(rate.reset(), "Too many chat turns; try again later."), rate);
        }
        long quotaLeft;
        try {
            quotaLeft = redisCall(() -> quota.checkRemaining(userId));
        } catch (ProblemException e) {
            throw e.status() == 429 ? rateHeaders(e, rate) : e;
        }

        String sid;
        boolean newSession = sessionIdOrNull == null;
        if (newSession) {
            sid = sessions.createSession(auth);
        } else {
            sid = sessionIdOrNull;
            sessions.getSession(auth, sid); // 404 when not the caller's
        }
        String mid = UUID.randomUUID().toString();
        String lock = lockKey(sid);
        boolean locked = redisCall(() -> setNx(lock, mid, config.lockTtl()));
        if (!locked) {
            throw ProblemException.conflict("Another turn is in progress in this session.");
        }
        boolean ok = false;
        try {
            boolean marked = redisCall(() -> setNx(turnKey, "pending:" + mid, config.lockTtl()));
            if (!marked) {
                throw ProblemException.conflict("A turn with this client_message_id is in progress.");
            }
            // listed for the account deletion (no keyspace scan)
            redisCall(() -> {
                userData.track(userId, turnKey, refKey(mid));
                return null;
            });
            try {
                // context reads overlap with storing the user message (time to first token); the new message
                // is filtered out of the history by its seq
                CompletableFuture<List<String>> factsF = CompletableFuture.supplyAsync(() -> facts.all(userId), executor);
                CompletableFuture<List<StoredMessage>> historyF = CompletableFuture.supplyAsync(
                        () -> sessions.history(auth, sid, config.historyMaxMessages()), executor);
                StoredMessage user = sessions.addMessage(auth, sid, "user", message, cmid, Map.of());
                Map<String, Object> created = new LinkedHashMap<>();
                created.put("role", "user");
                created.put("content", message);
                created.put("seq", user.seq());
                created.put("client_message_id", cmid);
                redisCall(() -> events.publish("message.created", sid, user.id(), created));
                // the first message titles an untitled session (session-service): tell the open pages
                if ((newSession || user.seq() == 1) && user.sessionTitle() != null) {
                    redisCall(() -> events.publish("session.updated", sid, user.id(), Map.of("title", user.sessionTitle())));
                }
                redisCall(() -> {
                    values.setex(refKey(mid), 3600, userId + "|" + sid);
                    return null;
                });
                ActiveTurn turn = new ActiveTurn(mid);
                active.put(mid, turn);
                CompletableFuture<io.chatplatform.chat.api.ChatResponse> result = new CompletableFuture<>();
                Turn t = new Turn(new UserContext(userId, auth, sid), mid, cmid, user, message, quotaLeft, t0, turn, result,
                        factsF, historyF);
                executor.submit(t::run);
                ok = true;
                return new Started(sid, mid, result, null, rate);
            } finally {
                if (!ok) {
                    safely(() -> redis.key(String.class).del(turnKey));
                }
            }
        } finally {
            if (!ok) {
                release(sid, mid);
            }
        }
    }

    /** SET NX PX in one command: true when the key was set. */
    private boolean setNx(String key, String value, Duration ttl) {
        return redis.execute("SET", key, value, "NX", "PX", Long.toString(ttl.toMillis())) != null;
    }

    /** Cancels a turn of the caller: 404 when unknown or someone else's. */
    public void cancel(String userId, String messageId) {
        String ref = redisCall(() -> values.get(refKey(messageId)));
        if (ref == null || !ref.startsWith(userId + "|")) {
            throw ProblemException.notFound("No such turn.");
        }
        if (!cancelLocal(messageId)) {
            redisCall(() -> redis.execute("PUBLISH", CANCEL_CHANNEL, messageId));
        }
    }

    private boolean cancelLocal(String messageId) {
        ActiveTurn t = active.get(messageId);
        if (t == null) {
            return false;
        }
        t.cancel();
        return true;
    }

    private void release(String sid, String mid) {
        safely(() -> redis.execute("EVAL", RELEASE, "1", lockKey(sid), mid));
    }

    private static void safely(Runnable r) {
        try {
            r.run();
        } catch (RuntimeException e) {
            LOG.warnf("redis cleanup failed: %s", e.getClass().getSimpleName());
        }
    }

    static <T> T redisCall(Supplier<T> s) {
        try {
            return s.get();
        } catch (ProblemException e) {
            throw e;
        } catch (RuntimeException e) {
            LOG.warnf("redis unavailable: %s", e.getClass().getSimpleName());
            throw ProblemException.unavailable(Duration.ofSeconds(5), "Storage is unavailable; try again shortly.");
        }
    }

    static ProblemException rateHeaders(ProblemException p, RateLimiter.Decision d) {
        RateLimitHeaders.of(d).forEach(p::header);
        return p;
    }

    /** The part of a turn that runs after the HTTP checks, on its own virtual thread. */
    private final class Turn {
        final UserContext user;
        final String mid;
        final String cmid;
        final StoredMessage userMessage;
        final String text;
        final long quotaLeft;
        final long t0;
        final ActiveTurn handle;
        final CompletableFuture<List<String>> factsF;
        final CompletableFuture<List<StoredMessage>> historyF;
        final CompletableFuture<io.chatplatform.chat.api.ChatResponse> result;

        final StringBuilder answer = new StringBuilder();
        final StringBuilder pending = new StringBuilder();
        final List<ToolCall> toolCalls = new ArrayList<>();
        long promptTokens;
        long completionTokens;
        boolean usageReported;
        long firstTokenNanos;
        long lastFlush;
        boolean truncated;
        boolean capped;

        Turn(UserContext user, String mid, String cmid, StoredMessage userMessage, String text, long quotaLeft, long t0,
             ActiveTurn handle, CompletableFuture<io.chatplatform.chat.api.ChatResponse> result,
             CompletableFuture<List<String>> factsF, CompletableFuture<List<StoredMessage>> historyF) {
            this.factsF = factsF;
            this.historyF = historyF;
            this.user = user;
            this.mid = mid;
            this.cmid = cmid;
            this.userMessage = userMessage;
            this.text = text;
            this.quotaLeft = quotaLeft;
            this.t0 = t0;
            this.handle = handle;
            this.result = result;
        }

        void run() {
            String sid = user.sessionId();
            String outcome = "error";
            try {
                List<String> remembered = join(factsF);
                List<StoredMessage> history = new ArrayList<>(join(historyF));
                history.removeIf(m -> m.id().equals(userMessage.id()) || m.seq() >= userMessage.seq());
                List<ChatMessage> messages = new ArrayList<>(ContextBuilder.build(config.systemPrompt(), remembered, history,
                        config.historyTokenBudget(), text));
                String finishReason = converse(messages);
                flush(sid);
                boolean cancelled = handle.cancelled.get();
                if (cancelled) {
                    finishReason = "cancelled";
                } else if (truncated) {
                    finishReason = "length";
                }
                // an answer that could not be stored failed, whatever the model did
                boolean stored = complete(finishReason, cancelled);
                outcome = !stored ? "failed" : cancelled ? "cancelled" : truncated ? "truncated" : "completed";
            } catch (ModelException e) {
                outcome = "failed";
                fail(e.code(), e.retryable(), e.httpStatus(), "The model " + describe(e.code()) + ".");
            } catch (ProblemException e) {
                outcome = "failed";
                fail(e.status() == 503 ? "unavailable" : "error", e.status() == 503, e.status() == 503 ? 503 : 502, e.getMessage());
            } catch (RuntimeException e) {
                outcome = "failed";
                LOG.errorf("turn failed: %s", e.getClass().getName());
                fail("internal_error", true, 503, "The turn failed; try again.");
            } finally {
                active.remove(mid);
                release(sid, mid);
                registry.counter("chat_turns_total", "outcome", outcome).increment();
                registry.timer("chat_turn_seconds", "outcome", outcome).record(Duration.ofNanos(System.nanoTime() - t0));
            }
        }

        /** Unwraps the failure of a prefetch so it is handled like a direct call's. */
        private <T> T join(CompletableFuture<T> f) {
            try {
                return f.join();
            } catch (java.util.concurrent.CompletionException e) {
                if (e.getCause() instanceof RuntimeException re) {
                    throw re;
                }
                throw e;
            }
        }

        private String describe(String code) {
            return switch (code) {
                case "timeout" -> "did not answer in time";
                case "rate_limited" -> "is rate limited";
                case "stream_interrupted" -> "stream was interrupted";
                default -> "call failed";
            };
        }

        /** Model rounds until a text answer (or the tool round cap, cancel or quota cut). */
        private String converse(List<ChatMessage> messages) {
            int rounds = 0;
            while (true) {
                boolean offerTools = rounds < config.maxToolRounds();
                capped = !offerTools;
                ChatRequest.Builder rb = ChatRequest.builder().messages(messages);
                if (offerTools) {
                    rb.toolSpecifications(tools.specifications());
                }
                if (handle.cancelled.get()) {
                    return "cancelled";
                }
                ModelStream stream;
                try {
                    stream = caller.open(rb.build(), config.firstTokenTimeout(), handle);
                } catch (ModelException.Cancelled e) {
                    return "cancelled";
                }
                ChatResponse response = consume(stream);
                if (response == null) { // cancelled or cut off by the quota
                    return truncated ? "length" : "cancelled";
                }
                TokenUsage u = response.tokenUsage();
                if (u != null && u.inputTokenCount() != null) {
                    promptTokens += u.inputTokenCount();
                    completionTokens += u.outputTokenCount() == null ? 0 : u.outputTokenCount();
                    usageReported = true;
                } else {
                    promptTokens += messages.stream().mapToInt(m -> ContextBuilder.estimate(m.toString())).sum();
                }
                AiMessage ai = response.aiMessage();
                if (ai != null && ai.hasToolExecutionRequests() && offerTools) {
                    rounds++;
                    messages.add(ai);
                    for (ToolExecutionRequest req : ai.toolExecutionRequests()) {
                        if (handle.cancelled.get()) {
                            return "cancelled";
                        }
                        runTool(messages, req);
                    }
                    continue;
                }
                String reason = response.finishReason() == null ? "stop" : response.finishReason().name().toLowerCase();
                return capped ? "tool_rounds_exceeded" : reason;
            }
        }

        private void runTool(List<ChatMessage> messages, ToolExecutionRequest req) {
            String sid = user.sessionId();
            flush(sid);
            Object shownArgs;
            try {
                shownArgs = mapper.readTree(req.arguments() == null || req.arguments().isBlank() ? "{}" : req.arguments());
            } catch (Exception e) {
                shownArgs = Map.of();
            }
            Map<String, Object> started = new LinkedHashMap<>();
            started.put("tool", req.name());
            started.put("arguments", shownArgs);
            events.publish("tool.started", sid, mid, started);
            ToolDispatcher.Outcome o = tools.execute(user, req);
            Map<String, Object> finished = new LinkedHashMap<>();
            finished.put("tool", o.tool());
            finished.put("ok", o.ok());
            finished.put("summary", o.summary());
            events.publish("tool.finished", sid, mid, finished);
            toolCalls.add(new ToolCall(o.tool(), shownArgs, o.ok(), o.summary()));
            messages.add(ToolExecutionResultMessage.from(req, ToolDispatcher.wrapForModel(o)));
        }

        /** Reads one model stream; returns its final response, or null when cancelled / cut off. */
        private ChatResponse consume(ModelStream stream) {
            String sid = user.sessionId();
            long idle = config.idleTimeout().toMillis();
            long coalesce = config.deltaCoalesce().toMillis();
            ModelStream.Signal sig = stream.first();
            long lastSignal = System.currentTimeMillis();
            while (true) {
                if (handle.cancelled.get()) {
                    stream.cancel();
                    return null;
                }
                if (sig == null) {
                    long now = System.currentTimeMillis();
                    if (pending.length() > 0 && now - lastFlush >= coalesce) {
                        flush(sid);
                    }
                    if (now - lastSignal > idle) {
                        stream.cancel();
                        // a connection cut mid-stream is not always reported by the client: silence is the signal
                        throw new ModelException("stream_interrupted", true, "model stream stalled or dropped", null);
                    }
                    long wait = pending.length() > 0 ? Math.max(1, lastFlush + coalesce - now) : Math.min(idle, 250);
                    try {
                        sig = stream.poll(wait);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        stream.cancel();
                        return null;
                    }
                    continue;
                }
                lastSignal = System.currentTimeMillis();
                switch (sig) {
                    case ModelStream.Token t -> {
                        if (t.text() != null && !t.text().isEmpty()) {
                            boolean first = firstTokenNanos == 0;
                            if (first) {
                                firstTokenNanos = System.nanoTime();
                                ttft.record(Duration.ofNanos(firstTokenNanos - t0));
                            }
                            answer.append(t.text());
                            pending.append(t.text());
                            if (first) {
                                flush(sid); // the first token goes out at once: it is what the user waits for
                            }
                            if (estimatedTurnTokens() > quotaLeft) {
                                truncated = true;
                                stream.cancel();
                                return null;
                            }
                        }
                    }
                    case ModelStream.Complete c -> {
                        return c.response();
                    }
                    case ModelStream.Failed f -> {
                        if (handle.cancelled.get()) {
                            stream.cancel();
                            return null;
                        }
                        stream.cancel();
                        throw ModelException.classify(f.error(), false);
                    }
                }
                sig = null;
            }
        }

        private long estimatedTurnTokens() {
            return promptTokens + ContextBuilder.estimate(answer.toString());
        }

        private void flush(String sid) {
            lastFlush = System.currentTimeMillis();
            if (pending.isEmpty()) {
                return;
            }
            String delta = pending.toString();
            pending.setLength(0);
            events.publish("message.delta", sid, mid, Map.of("delta", delta));
        }

        /** Stores the answer and announces it; false when it could not be stored (the turn then failed). */
        private boolean complete(String finishReason, boolean cancelled) {
            String sid = user.sessionId();
            long latency = (System.nanoTime() - t0) / 1_000_000;
            Long ttftMs = firstTokenNanos == 0 ? null : (firstTokenNanos - t0) / 1_000_000;
            if (!usageReported || completionTokens == 0) {
                completionTokens = Math.max(completionTokens, answer.isEmpty() ? 0 : ContextBuilder.estimate(answer.toString()) - 4);
            }
            Usage usage = new Usage(promptTokens, completionTokens);
            registry.counter("chat_llm_tokens_total", "direction", "prompt").increment(promptTokens);
            registry.counter("chat_llm_tokens_total", "direction", "completion").increment(completionTokens);
            safely(() -> quota.add(user.userId(), promptTokens + completionTokens));

            Map<String, Object> meta = new LinkedHashMap<>();
            meta.put("message_id", mid);
            meta.put("model", config.model());
            meta.put("usage", usage);
            meta.put("latency_ms", latency);
            meta.put("ttft_ms", ttftMs);
            meta.put("tool_calls", toolCalls);
            meta.put("finish_reason", finishReason);
            meta.put("cancelled", cancelled);
            meta.put("truncated", truncated);
            meta.put("reply_to", userMessage.id());
            StoredMessage stored;
            try {
                stored = sessions.addMessage(user.authorization(), sid, "assistant", answer.toString(), mid, meta);
            } catch (ProblemException e) {
                fail("storage_unavailable", true, 503, "The answer could not be stored; try again.");
                return false;
            }
            Map<String, Object> done = new LinkedHashMap<>();
            done.put("content", answer.toString());
            done.put("usage", usage);
            done.put("model", config.model());
            done.put("finish_reason", finishReason);
            done.put("seq", stored.seq());
            done.put("cancelled", cancelled);
            done.put("truncated", truncated);
            io.chatplatform.chat.api.ChatResponse r = new io.chatplatform.chat.api.ChatResponse(sid, mid, answer.toString(),
                    List.copyOf(toolCalls), usage, config.model(), latency, ttftMs, finishReason, cancelled, truncated);
            safely(() -> events.publish("message.completed", sid, mid, done));
            safely(() -> {
                try {
                    values.setex(turnKey(user.userId(), cmid), IDEMPOTENCY_TTL.toSeconds(), mapper.writeValueAsString(r));
                } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                    throw new IllegalStateException(e);
                }
            });
            result.complete(r);
            return true;
        }

        private void fail(String code, boolean retryable, int status, String message) {
            String sid = user.sessionId();
            safely(() -> {
                Map<String, Object> f = new LinkedHashMap<>();
                f.put("error", Map.of("code", code, "message", message));
                f.put("retryable", retryable);
                events.publish("message.failed", sid, mid, f);
            });
            // a retry with the same client_message_id may run the turn again
            safely(() -> redis.key(String.class).del(turnKey(user.userId(), cmid)));
            String title = switch (status) {
                case 504 -> "Gateway Timeout";
                case 503 -> "Service Unavailable";
                default -> "Bad Gateway";
            };
            ProblemException p = new ProblemException(status, title, message)
                    .extension("code", code).extension("retryable", retryable)
                    .extension("session_id", sid).extension("message_id", mid);
            if (status == 503) {
                p.header("Retry-After", "5");
            }
            result.completeExceptionally(p);
        }
    }
}
