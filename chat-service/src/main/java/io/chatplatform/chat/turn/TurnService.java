package io.chatplatform.chat.turn;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.chatplatform.chat.ChatConfig;
import io.chatplatform.chat.UserData;
import io.chatplatform.chat.api.TurnResult;
import io.chatplatform.chat.events.EventPublisher;
import io.chatplatform.chat.events.EventSink;
import io.chatplatform.chat.limits.Admission;
import io.chatplatform.chat.session.SessionGateway;
import io.chatplatform.chat.session.SessionGateway.BegunTurn;
import io.chatplatform.chat.session.SessionGateway.StoredMessage;
import io.chatplatform.chat.tools.UserContext;
import io.chatplatform.common.problem.ProblemException;
import io.chatplatform.common.ratelimit.RateLimiter;
import io.chatplatform.common.token.RevokedTokens;
import io.chatplatform.common.token.TokensRevoked;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * Starts turns and cancels them. Before the model is called: one Redis round trip ({@link Admission}), one
 * session-service call ({@code POST .../turns}; two for a new session), both without a thread waiting on them;
 * the rest runs on a virtual thread ({@link TurnRunner}) while the HTTP call waits on a future or has already
 * answered 202.
 */
@ApplicationScoped
public class TurnService {

    private static final Logger LOG = Logger.getLogger(TurnService.class);

    /** What the resource needs to answer: the ids, and the running turn (null for a replayed result). */
    public record Started(String sessionId, String messageId, CompletableFuture<TurnResult> result, TurnResult replay,
                          RateLimiter.Decision rate) {
    }

    private final ChatConfig config;
    private final Admission admission;
    private final SessionGateway sessions;
    private final EventPublisher events;
    private final TurnRunner runner;
    private final RedisDataSource redis;
    private final ObjectMapper mapper;
    private final MeterRegistry registry;
    private final CancelChannel cancels;
    private final RevokedTokens revoked;
    private final UserData userData;
    private final Map<String, ActiveTurn> active = new ConcurrentHashMap<>();
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();

    public TurnService(ChatConfig config, Admission admission, SessionGateway sessions, EventPublisher events,
                       TurnRunner runner, RedisDataSource redis, ObjectMapper mapper, MeterRegistry registry,
                       CancelChannel cancels, RevokedTokens revoked, UserData userData) {
        this.config = config;
        this.admission = admission;
        this.sessions = sessions;
        this.events = events;
        this.runner = runner;
        this.redis = redis;
        this.mapper = mapper;
        this.registry = registry;
        this.cancels = cancels;
        this.revoked = revoked;
        this.userData = userData;
    }

    void onStart(@Observes StartupEvent ev) {
        // a cancel may reach another replica than the one running the turn; Redis may come up after us
        cancels.listen(this::cancelLocal);
    }

    /** On every replica, as soon as an account is deleted: its running turns stop (their data is being deleted). */
    void onRevoked(@Observes TokensRevoked event) {
        if (event.userId() != null) {
            active.values().stream().filter(t -> t.userId().equals(event.userId())).forEach(ActiveTurn::cancel);
        }
    }

    void onStop(@Observes ShutdownEvent ev) {
        cancels.stop();
        active.values().forEach(ActiveTurn::cancel);
        executor.shutdown();
    }

    /**
     * Everything before the model call, non-blocking (one Redis script, one session-service call, both on the
     * request's event loop); fails with a problem for every rejection, nothing stored on rejection. A turn rejected
     * here (409, 413, 429, 503, ...) is counted as {@code chat_turns_total{outcome="rejected_<status>"}}.
     */
    public Uni<Started> start(String userId, String auth, TurnRequest req) {
        return Uni.createFrom().deferred(() -> {
            req.validate();
            if (!req.regenerate() && req.message().length() > config.maxMessageChars()) {
                throw ProblemException.tooLarge("message exceeds " + config.maxMessageChars() + " characters.");
            }
            String cmid = req.clientMessageId() != null ? req.clientMessageId() : UUID.randomUUID().toString();
            String mid = UUID.randomUUID().toString();
            return admission.admit(userId, cmid, mid, req.sessionId()).flatMap(admitted -> {
                if (admitted.replay() != null) {
                    TurnResult r = read(admitted.replay());
                    return Uni.createFrom().item(new Started(r.sessionId(), r.messageId(), null, r, null));
                }
                return begin(new UserContext(userId, auth, req.sessionId()), cmid, mid, req, admitted);
            });
        }).onFailure(ProblemException.class).invoke(e ->
                registry.counter("chat_turns_total", "outcome", "rejected_" + ((ProblemException) e).status()).increment());
    }

    /**
     * The admitted turn: its session (created when new), the user message stored, the conversation started. When it
     * cannot begin, the admission is undone (lock released, idempotency key forgotten) before the failure is answered.
     */
    private Uni<Started> begin(UserContext caller, String cmid, String mid, TurnRequest req, Admission.Admitted admitted) {
        long t0 = System.nanoTime();
        AtomicReference<String> sid = new AtomicReference<>(caller.sessionId());
        Uni<String> session = caller.sessionId() != null ? Uni.createFrom().item(caller.sessionId())
                : sessions.createSession(caller.authorization()).call(created -> {
                    sid.set(created);
                    return admission.lockNewSession(caller.userId(), created, mid);
                });
        return session.flatMap(id -> sessions.beginTurn(caller.authorization(), id, new SessionGateway.TurnBody(cmid,
                        req.regenerate() ? null : req.message(), mid,
                        ContextBuilder.contextBudget(config.historyTokenBudget(), admitted.facts()), req.editOf(),
                        req.regenerateOf()))
                .flatMap(b -> {
                    UserContext user = new UserContext(caller.userId(), caller.authorization(), id);
                    TurnResult stored = StoredAnswers.finished(b, id, mapper);
                    if (stored != null) {
                        // session-service already holds this turn's finished answer (its replay record in Redis was lost)
                        return admission.finishAsync(user.userId(), cmid, id, mid, 0, write(stored))
                                .replaceWith(new Started(id, stored.messageId(), null, stored, admitted.rate()));
                    }
                    return Uni.createFrom().item(launch(user, cmid, mid, req, admitted, b, t0, caller.sessionId() == null));
                }))
                .onFailure().call(e -> admission.finishAsync(caller.userId(), cmid, sid.get(), mid, 0, null)
                        .onFailure().invoke(cleanup -> LOG.warnf("redis cleanup failed: %s", cleanup.getClass().getSimpleName()))
                        .onFailure().recoverWithNull());
    }

    private Started launch(UserContext user, String cmid, String mid, TurnRequest req, Admission.Admitted admitted,
                           BegunTurn b, long t0, boolean newSession) {
        String sid = user.sessionId();
        String answerId = b.answerId();
        StoredMessage userMessage = b.userMessage();
        // a regenerate answers the stored user message again: its text is what the model gets
        String message = req.regenerate() ? userMessage.content() : req.message();
        EventSink sink = events.sink(sid, answerId);
        sink.offer("message.created", userMessage.id(), created(userMessage, message, cmid, req));
        // the first message titles an untitled session (session-service): tell the open pages
        if (!req.regenerate() && (newSession || userMessage.seq() == 1) && userMessage.sessionTitle() != null) {
            sink.offer("session.updated", userMessage.id(), Map.of("title", userMessage.sessionTitle()));
        }
        ActiveTurn handle = new ActiveTurn(answerId, user.userId());
        active.put(answerId, handle);
        CompletableFuture<TurnResult> result = new CompletableFuture<>();
        TurnContext turn = new TurnContext(user, answerId, mid, cmid, userMessage, b.writeGrant(), admitted.quotaLeft(), t0,
                handle, sink, result);
        var messages = new java.util.ArrayList<>(ContextBuilder.build(config.systemPrompt(), admitted.facts(), b.context(), message));
        executor.execute(() -> runner.run(turn, messages, executor, () -> ended(answerId, user.userId(), cmid, mid, sid)));
        return new Started(sid, answerId, result, null, admitted.rate());
    }

    /**
     * The turn's {@code message.created}: its user message, also for a regenerate (the stored one, so a page opened
     * mid-answer replays the turn from it), with its version and what the turn does to the branch shown.
     */
    private static Map<String, Object> created(StoredMessage userMessage, String content, String cmid, TurnRequest req) {
        Map<String, Object> created = new LinkedHashMap<>();
        created.put("role", "user");
        created.put("content", content);
        created.put("seq", userMessage.seq());
        created.put("client_message_id", cmid);
        created.put("version", userMessage.version());
        created.put("versions", userMessage.versions());
        if (req.editOf() != null) {
            created.put("edit_of", req.editOf());
        }
        if (req.regenerateOf() != null) {
            created.put("regenerate_of", req.regenerateOf());
        }
        return created;
    }

    /**
     * A turn's last writes (quota, replay result, events) can land after its account's deletion ran: the deletion is
     * run again, so nothing of the account survives it. The turn's own keys are named: the first deletion may have
     * removed the index that listed them.
     */
    private void ended(String answerId, String userId, String cmid, String mid, String sid) {
        active.remove(answerId);
        if (revoked.userRevoked(userId)) {
            List<String> own = List.of(Admission.turnKey(userId, cmid), Admission.refKey(userId, mid),
                    Admission.quotaKey(userId, LocalDate.now(ZoneOffset.UTC)), EventPublisher.streamKey(sid));
            safely(() -> LOG.infof("deleted %d Redis keys a turn wrote after its account's deletion",
                    userData.deleteAll(userId, own)));
        }
    }

    /** Cancels a turn of the caller: 404 when unknown or someone else's. */
    public void cancel(String userId, String messageId) {
        ActiveTurn local = active.get(messageId);
        if (local != null && local.userId().equals(userId)) {
            local.cancel();
            return;
        }
        boolean exists = redisCall(() -> redis.key(String.class).exists(Admission.refKey(userId, messageId)));
        if (!exists) {
            throw ProblemException.notFound("No such turn.");
        }
        redisCall(() -> redis.execute("PUBLISH", CancelChannel.CHANNEL, messageId));
    }

    private void cancelLocal(String messageId) {
        ActiveTurn t = active.get(messageId);
        if (t != null) {
            t.cancel();
        }
    }

    private TurnResult read(String json) {
        try {
            return mapper.readValue(json, TurnResult.class);
        } catch (Exception e) {
            throw new IllegalStateException("unreadable stored turn result", e);
        }
    }

    private String write(TurnResult r) {
        try {
            return mapper.writeValueAsString(r);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
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
            throw Admission.storageUnavailable(e);
        }
    }
}
