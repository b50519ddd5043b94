package io.chatplatform.chat.limits;

import io.chatplatform.chat.ChatConfig;
import io.chatplatform.chat.UserData;
import io.chatplatform.chat.events.EventPublisher;
import io.chatplatform.common.problem.ProblemException;
import io.chatplatform.common.ratelimit.RateLimiter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.quarkus.redis.datasource.RedisDataSource;
import io.smallrye.faulttolerance.api.ExponentialBackoff;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.redis.client.Response;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.faulttolerance.Retry;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

/**
 * A turn's admission in one Redis round trip: one script checks the idempotency key (replay or a turn with the same
 * client_message_id in flight), counts the rate-limit window, reads today's token quota, takes the session's lock,
 * marks the idempotency key pending, writes the cancel reference, indexes the user's keys (and the session's event
 * stream) for account deletion and
 * reads the remembered facts. Every refusal comes from the script; nothing is written on a refusal except the
 * rate-limit count.
 * <p>
 * Redis Cluster: the user's keys share the hash tag {@code {uid}}, the lock has the session's {@code {sid}}; the
 * two cannot share one tag (a user has many sessions, a quota spans them). The script declares every key, and the
 * lock is its last key and its last write, so a cluster mode splits it into a user script and a lock
 * {@code SET NX} (undoing the user part when the lock is taken).
 * <p>
 * Admission and a new session's lock are non-blocking (the request's event loop sends the script and goes on when
 * it answers: no worker thread waits in front of the model call); a Redis that does not answer within
 * {@code quarkus.redis.timeout}, or fails, refuses the turn with 503 and Retry-After.
 */
@ApplicationScoped
public class Admission {

    static final String ADMIT = """
            local prev = redis.call('GET', KEYS[3])
            if prev then
              if string.sub(prev, 1, 8) == 'pending:' then return {'in_flight'} end
              return {'replay', prev}
            end
            local n = redis.call('INCR', KEYS[1])
            if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
            local ttl = redis.call('PTTL', KEYS[1])
            if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[2]); ttl = tonumber(ARGV[2]) end
            if n > tonumber(ARGV[1]) then return {'rate', n, ttl} end
            local left = tonumber(ARGV[3]) - tonumber(redis.call('GET', KEYS[2]) or '0')
            if left <= 0 then return {'quota', n, ttl} end
            if #KEYS >= 7 and not redis.call('SET', KEYS[7], ARGV[4], 'NX', 'PX', ARGV[6]) then return {'busy', n, ttl} end
            redis.call('SET', KEYS[3], 'pending:' .. ARGV[4], 'PX', ARGV[6])
            redis.call('SET', KEYS[6], ARGV[5], 'EX', ARGV[8])
            redis.call('SADD', KEYS[4], KEYS[2], KEYS[3], KEYS[6])
            if ARGV[9] and ARGV[9] ~= '' then redis.call('SADD', KEYS[4], ARGV[9]) end
            redis.call('EXPIRE', KEYS[4], ARGV[7])
            return {'ok', n, ttl, left, redis.call('LRANGE', KEYS[5], 0, -1)}
            """;

    /** The end of a turn (or of one that could not begin): bill, store or forget the result, release the lock. */
    static final String FINISH = """
            if tonumber(ARGV[1]) > 0 then
              redis.call('INCRBY', KEYS[1], ARGV[1])
              redis.call('EXPIRE', KEYS[1], ARGV[5])
            end
            if ARGV[2] == '' then redis.call('DEL', KEYS[2]) else redis.call('SET', KEYS[2], ARGV[2], 'EX', ARGV[4]) end
            if redis.call('GET', KEYS[3]) == ARGV[3] then redis.call('DEL', KEYS[3]) end
            return 1
            """;

    /** A new session's lock, its stream indexed for the user's deletion first (the lock stays the last write). */
    static final String LOCK = """
            redis.call('SADD', KEYS[1], ARGV[3])
            redis.call('EXPIRE', KEYS[1], ARGV[4])
            return redis.call('SET', KEYS[2], ARGV[1], 'NX', 'PX', ARGV[2]) and 1 or 0
            """;

    static final Duration RESULT_TTL = Duration.ofHours(24);
    static final Duration QUOTA_TTL = Duration.ofDays(2);
    static final Duration REF_TTL = Duration.ofHours(1);

    /**
     * Admitted: the rate-limit state for the headers, the quota left and the remembered facts; or, for a replay, only
     * {@code replay}, the stored result JSON.
     */
    public record Admitted(RateLimiter.Decision rate, long quotaLeft, List<String> facts, String replay) {
    }

    private static final Logger LOG = Logger.getLogger(Admission.class);

    private final RedisDataSource redis;
    private final ReactiveRedisDataSource reactive;
    private final ChatConfig config;
    private final MeterRegistry registry;
    private final Duration timeout;

    public Admission(RedisDataSource redis, ReactiveRedisDataSource reactive, ChatConfig config, MeterRegistry registry,
                     @ConfigProperty(name = "quarkus.redis.timeout", defaultValue = "10s") Duration timeout) {
        this.redis = redis;
        this.reactive = reactive;
        this.config = config;
        this.registry = registry;
        this.timeout = timeout;
    }

    public static String lockKey(String sid) {
        return "chat:lock:{" + sid + "}";
    }

    public static String turnKey(String uid, String clientMessageId) {
        return "chat:turn:{" + uid + "}:" + clientMessageId;
    }

    /** The cancel reference: exists only for the user who runs the turn; its value is the session. */
    public static String refKey(String uid, String messageId) {
        return "chat:turnref:{" + uid + "}:" + messageId;
    }

    public static String quotaKey(String uid, LocalDate day) {
        return "chat:quota:{" + uid + "}:" + day;
    }

    /**
     * Admits a turn or throws the refusal: 429 (rate, with RateLimit-* headers; or quota), 409 (session busy or the
     * same client_message_id in flight).
     * {@code sessionId} is null for a new session (its lock is taken by {@link #lockNewSession}).
     */
    public Uni<Admitted> admit(String uid, String cmid, String mid, String sessionId) {
        LocalDate today = LocalDate.now(ZoneOffset.UTC);
        List<String> args = new ArrayList<>(List.of(ADMIT, sessionId == null ? "6" : "7",
                UserData.rateLimitKey(uid), quotaKey(uid, today), turnKey(uid, cmid), UserData.indexKey(uid),
                UserData.factsKey(uid), refKey(uid, mid)));
        if (sessionId != null) {
            args.add(lockKey(sessionId));
        }
        args.addAll(List.of(Long.toString(config.turnsPerMinute()), "60000", Long.toString(config.dailyTokenQuota()),
                mid, sessionId == null ? "" : sessionId, Long.toString(config.lockTtl().toMillis()),
                Long.toString(UserData.INDEX_TTL.toSeconds()), Long.toString(REF_TTL.toSeconds()),
                sessionId == null ? "" : EventPublisher.streamKey(sessionId)));
        return eval(args).map(this::verdict);
    }

    private Admitted verdict(Response r) {
        String verdict = r.get(0).toString();
        if (verdict.equals("in_flight")) {
            throw ProblemException.conflict("A turn with this client_message_id is in progress.");
        }
        if (verdict.equals("replay")) {
            return new Admitted(null, 0, List.of(), r.get(1).toString());
        }
        long count = r.get(1).toLong();
        RateLimiter.Decision rate = new RateLimiter.Decision(count <= config.turnsPerMinute(), config.turnsPerMinute(),
                Math.max(0, config.turnsPerMinute() - count), Duration.ofMillis(Math.max(0, r.get(2).toLong())));
        switch (verdict) {
            case "rate" -> {
                registry.counter("chat_rate_limited_total", "scope", "turn").increment();
                throw headers(ProblemException.tooManyRequests(rate.reset(), "Too many chat turns; try again later."), rate);
            }
            case "quota" -> throw headers(ProblemException.tooManyRequests(untilMidnight(), "Daily token quota exhausted.")
                    .extension("quota", "daily_tokens"), rate);
            case "busy" -> throw headers(ProblemException.conflict("Another turn is in progress in this session."), rate);
            default -> {
                List<String> facts = new ArrayList<>();
                r.get(4).forEach(f -> facts.add(f.toString()));
                return new Admitted(rate, r.get(3).toLong(), facts, null);
            }
        }
    }

    /** Takes the lock of a session this turn just created (nobody else knows its id yet, so it is free). */
    public Uni<Void> lockNewSession(String uid, String sid, String mid) {
        return eval(List.of(LOCK, "2", UserData.indexKey(uid), lockKey(sid), mid,
                Long.toString(config.lockTtl().toMillis()), EventPublisher.streamKey(sid),
                Long.toString(UserData.INDEX_TTL.toSeconds()))).replaceWithVoid();
    }

    /**
     * Ends a turn in one round trip: adds {@code tokens} to today's quota, stores {@code resultJson} for replays
     * (null: forgets the key, so a retry runs the turn again) and releases the session's lock if this turn holds it.
     */
    @Retry(maxRetries = 6, delay = 500, delayUnit = ChronoUnit.MILLIS, jitter = 200)
    @ExponentialBackoff(factor = 2, maxDelay = 10_000)
    public void finish(String uid, String cmid, String sessionId, String mid, long tokens, String resultJson) {
        finishOnce(uid, cmid, sessionId, mid, tokens, resultJson);
    }

    /** {@link #finish} without retries. */
    public void finishOnce(String uid, String cmid, String sessionId, String mid, long tokens, String resultJson) {
        List<String> args = finishArgs(uid, cmid, sessionId, mid, tokens, resultJson);
        redis.execute("EVAL", args.toArray(String[]::new));
    }

    /** {@link #finishOnce}, non-blocking: for a turn that ends before it reached its virtual thread. */
    public Uni<Void> finishAsync(String uid, String cmid, String sessionId, String mid, long tokens, String resultJson) {
        return eval(finishArgs(uid, cmid, sessionId, mid, tokens, resultJson)).replaceWithVoid();
    }

    private static List<String> finishArgs(String uid, String cmid, String sessionId, String mid, long tokens,
                                           String resultJson) {
        return List.of(FINISH, "3", quotaKey(uid, LocalDate.now(ZoneOffset.UTC)), turnKey(uid, cmid),
                sessionId == null ? lockKey("none") : lockKey(sessionId),
                Long.toString(Math.max(0, tokens)), resultJson == null ? "" : resultJson, mid,
                Long.toString(RESULT_TTL.toSeconds()), Long.toString(QUOTA_TTL.toSeconds()));
    }

    /** One script, bounded by the client's timeout; an unanswered or failed call is the 503 of a storage outage. */
    private Uni<Response> eval(List<String> scriptAndArgs) {
        return reactive.execute("EVAL", scriptAndArgs.toArray(String[]::new))
                .ifNoItem().after(timeout).fail()
                .onFailure(e -> !(e instanceof ProblemException)).transform(Admission::storageUnavailable);
    }

    /** A Redis failure as the caller's problem: 503 with Retry-After, the cause logged by its class only. */
    public static ProblemException storageUnavailable(Throwable cause) {
        LOG.warnf("redis unavailable: %s", cause.getClass().getSimpleName());
        return ProblemException.unavailable(Duration.ofSeconds(5), "Storage is unavailable; try again shortly.");
    }

    static ProblemException headers(ProblemException p, RateLimiter.Decision d) {
        RateLimitHeaders.of(d).forEach(p::header);
        return p;
    }

    static Duration untilMidnight() {
        ZonedDateTime now = ZonedDateTime.now(ZoneOffset.UTC);
        return Duration.between(now, now.toLocalDate().plusDays(1).atStartOfDay(ZoneOffset.UTC));
    }
}
