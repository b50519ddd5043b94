package io.chatplatform.auth.magic;

import io.quarkus.redis.datasource.RedisDataSource;
import io.vertx.mutiny.redis.client.Response;
import io.vertx.redis.client.ResponseType;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Duration;
import java.util.Optional;

/**
 * Pending logins in Redis, each reachable three ways and all three dying together:
 * {@code auth:magic:{H(token)}} (a hash: email, nonce hash, code hash, wrong-code count),
 * {@code auth:magic:nonce:{H(nonce)}} -> H(token) for the code path, and
 * {@code auth:magic:email:{H(address)}} -> H(token) so a new request replaces the previous link.
 * Every operation is one Lua script. Verifying claims a login (atomic: one verifier at a time) and
 * consumes it only once the login's database work has committed, so a database failure does not burn it.
 */
@ApplicationScoped
public class MagicLinkStore {

    static final String PREFIX = "auth:magic:";

    public enum Outcome { OK, CONFIRM, WRONG_CODE, BURNED }

    /** The outcome of a claim; {@code claim} is set when it is {@link Outcome#OK}. */
    public record Result(Outcome outcome, String email, Claim claim) {
    }

    /** A login held while its database work runs: the record's key and the claim's random id. */
    public record Claim(String record, String id) {
    }

    private static final String STORE = """
            local old = redis.call('GET', KEYS[3])
            if old then
              local oldNonce = redis.call('HGET', 'auth:magic:' .. old, 'nonce')
              redis.call('DEL', 'auth:magic:' .. old)
              if oldNonce then redis.call('DEL', 'auth:magic:nonce:' .. oldNonce) end
            end
            redis.call('HSET', KEYS[1], 'email', ARGV[2], 'nonce', ARGV[3], 'code', ARGV[4], 'attempts', 0, 'email_key', KEYS[3])
            redis.call('PEXPIRE', KEYS[1], ARGV[5])
            redis.call('SET', KEYS[2], ARGV[1], 'PX', ARGV[5])
            redis.call('SET', KEYS[3], ARGV[1], 'PX', ARGV[5])
            return 1
            """;

    /**
     * A claimed login is held for the login's database work, not consumed: {@link #finish} deletes it
     * once that work has committed, {@link #release} frees it when the work failed. A claim left by a
     * crashed request lapses after {@code ARGV[now]+hold}.
     * KEYS[1] record; ARGV: nonce hash presented (or ""), confirm flag, claim id, now (ms), hold (ms).
     */
    private static final String CLAIM_TOKEN = """
            local f = redis.call('HMGET', KEYS[1], 'email', 'nonce', 'claim_until')
            if not f[1] then return nil end
            if f[3] and tonumber(f[3]) > tonumber(ARGV[4]) then return nil end
            if ARGV[1] ~= f[2] and ARGV[2] ~= '1' then return {'CONFIRM', f[1]} end
            redis.call('HSET', KEYS[1], 'claim', ARGV[3], 'claim_until', tonumber(ARGV[4]) + tonumber(ARGV[5]))
            return {'OK', f[1], KEYS[1]}
            """;

    /** KEYS[1] nonce pointer; ARGV: code hash, max wrong attempts, claim id, now (ms), hold (ms). */
    private static final String CLAIM_CODE = """
            local tok = redis.call('GET', KEYS[1])
            if not tok then return nil end
            local rec = 'auth:magic:' .. tok
            local f = redis.call('HMGET', rec, 'email', 'code', 'email_key', 'claim_until')
            if not f[1] then return nil end
            if f[4] and tonumber(f[4]) > tonumber(ARGV[4]) then return nil end
            if f[2] ~= ARGV[1] then
              local n = redis.call('HINCRBY', rec, 'attempts', 1)
              if n < tonumber(ARGV[2]) then return {'WRONG_CODE', f[1]} end
              redis.call('DEL', rec, KEYS[1])
              if redis.call('GET', f[3]) == tok then redis.call('DEL', f[3]) end
              return {'BURNED', f[1]}
            end
            redis.call('HSET', rec, 'claim', ARGV[3], 'claim_until', tonumber(ARGV[4]) + tonumber(ARGV[5]))
            return {'OK', f[1], rec}
            """;

    /** KEYS[1] record; ARGV: claim id. Single use: the login committed, so the link and its code die. */
    private static final String FINISH = """
            if redis.call('HGET', KEYS[1], 'claim') ~= ARGV[1] then return 0 end
            local f = redis.call('HMGET', KEYS[1], 'nonce', 'email_key')
            redis.call('DEL', KEYS[1], 'auth:magic:nonce:' .. f[1])
            if redis.call('GET', f[2]) == string.sub(KEYS[1], string.len('auth:magic:') + 1) then redis.call('DEL', f[2]) end
            return 1
            """;

    /** KEYS[1] record; ARGV: claim id. The login's database work failed: the link works again. */
    private static final String RELEASE = """
            if redis.call('HGET', KEYS[1], 'claim') ~= ARGV[1] then return 0 end
            redis.call('HDEL', KEYS[1], 'claim', 'claim_until')
            return 1
            """;

    /** KEYS[1] email pointer. */
    private static final String DROP_FOR_EMAIL = """
            local tok = redis.call('GET', KEYS[1])
            if not tok then return 0 end
            local nonce = redis.call('HGET', 'auth:magic:' .. tok, 'nonce')
            redis.call('DEL', 'auth:magic:' .. tok, KEYS[1])
            if nonce then redis.call('DEL', 'auth:magic:nonce:' .. nonce) end
            return 1
            """;

    private final RedisDataSource redis;

    public MagicLinkStore(RedisDataSource redis) {
        this.redis = redis;
    }

    public void store(String tokenHash, String email, String emailHash, String nonceHash, String codeHash, Duration ttl) {
        redis.execute("EVAL", STORE, "3", PREFIX + tokenHash, PREFIX + "nonce:" + nonceHash, PREFIX + "email:" + emailHash,
                tokenHash, email, nonceHash, codeHash, Long.toString(ttl.toMillis()));
    }

    /** Claims the login unless the nonce differs and no confirmation was given (then only peeks). */
    public Optional<Result> claimToken(String tokenHash, String nonceHash, boolean confirm, String claimId, Duration hold) {
        return result(redis.execute("EVAL", CLAIM_TOKEN, "1", PREFIX + tokenHash,
                nonceHash == null ? "" : nonceHash, confirm ? "1" : "0", claimId, now(), Long.toString(hold.toMillis())),
                claimId);
    }

    public Optional<Result> claimCode(String nonceHash, String codeHash, int maxAttempts, String claimId, Duration hold) {
        return result(redis.execute("EVAL", CLAIM_CODE, "1", PREFIX + "nonce:" + nonceHash,
                codeHash, Integer.toString(maxAttempts), claimId, now(), Long.toString(hold.toMillis())), claimId);
    }

    /** Consumes a claimed login (its database work has committed). */
    public void finish(Claim claim) {
        redis.execute("EVAL", FINISH, "1", claim.record(), claim.id());
    }

    /** Frees a claimed login whose database work failed, so the same link or code works again. */
    public void release(Claim claim) {
        redis.execute("EVAL", RELEASE, "1", claim.record(), claim.id());
    }

    private static String now() {
        return Long.toString(System.currentTimeMillis());
    }

    public void dropForEmail(String emailHash) {
        redis.execute("EVAL", DROP_FOR_EMAIL, "1", PREFIX + "email:" + emailHash);
    }

    private static Optional<Result> result(Response r, String claimId) {
        if (r == null || r.type() != ResponseType.MULTI || r.size() < 2) {
            return Optional.empty();
        }
        Claim claim = r.size() > 2 ? new Claim(r.get(2).toString(), claimId) : null;
        return Optional.of(new Result(Outcome.valueOf(r.get(0).toString()), r.get(1).toString(), claim));
    }
}
