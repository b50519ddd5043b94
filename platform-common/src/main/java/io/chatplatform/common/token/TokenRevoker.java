package io.chatplatform.common.token;

import io.quarkus.redis.datasource.RedisDataSource;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Instant;

/**
 * Writes a revocation (DESIGN "Identity"): the key DESIGN names, plus an entry in one small index and a message on
 * one channel, in one script so the three never disagree. Readers ({@link RevocationFeed}) keep every live
 * revocation in memory because the check runs on the event loop of every request: the channel keeps them current,
 * the index (a sorted set scored by expiry) lets a starting or reconnected reader catch up with one read instead
 * of a SCAN. auth-service is the only writer; the services' tests use it the same way.
 */
@ApplicationScoped
public class TokenRevoker {

    /** Sorted set of live revocations: member {@code family:<sid>} or {@code user:<uid>:<epoch s>}, score = expiry (ms). */
    public static final String INDEX = "auth:revoked:index";
    /** Every write publishes {@code <member> <expiry ms>} here. */
    public static final String CHANNEL = "auth:revoked";

    // KEYS: the revocation key, the index. ARGV: value, ttl ms, expiry ms, member, now ms, channel.
    static final String SCRIPT = """
            redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
            redis.call('ZADD', KEYS[2], ARGV[3], ARGV[4])
            redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', '(' .. ARGV[5])
            if redis.call('PTTL', KEYS[2]) < tonumber(ARGV[2]) then redis.call('PEXPIRE', KEYS[2], ARGV[2]) end
            redis.call('PUBLISH', ARGV[6], ARGV[4] .. ' ' .. ARGV[3])
            return 1
            """;

    private final RedisDataSource redis;
    private final TokenConfig config;

    public TokenRevoker(RedisDataSource redis, TokenConfig config) {
        this.redis = redis;
        this.config = config;
    }

    /** The braces are literal hash tags, like chat-service's keys: a user's key shares the slot of its data. */
    public static String familyKey(String sid) {
        return "auth:revoked:family:{" + sid + "}";
    }

    public static String userKey(String uid) {
        return "auth:revoked:user:{" + uid + "}";
    }

    /** Logout, device sign-out, refresh-token reuse: every access token of the family is dead. Blocking. */
    public void revokeFamily(String sid) {
        long now = System.currentTimeMillis();
        write(familyKey(sid), Long.toString(now / 1000), "family:" + sid, now);
    }

    /** Account deletion: every token of the user issued at or before {@code at} is dead. Blocking. */
    public void revokeUser(String uid, Instant at) {
        long now = System.currentTimeMillis();
        String seconds = Long.toString(at.getEpochSecond());
        write(userKey(uid), seconds, "user:" + uid + ":" + seconds, now);
    }

    private void write(String key, String value, String member, long now) {
        long ttl = config.revocation().ttl().toMillis();
        redis.execute("EVAL", SCRIPT, "2", key, INDEX, value, Long.toString(ttl), Long.toString(now + ttl), member,
                Long.toString(now), CHANNEL);
    }
}
