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
 * Every operation is one Lua script, so consuming a login is atomic and single-use.
 */
@ApplicationScoped
public class MagicLinkStore {

    static final String PREFIX = "auth:magic:";

    public enum Outcome { OK, CONFIRM, WRONG_CODE, BURNED }

    public record Result(Outcome outcome, String email) {
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

    /** KEYS[1] record; ARGV: nonce hash presented (or ""), confirm flag, token hash. */
    private static final String CONSUME_TOKEN = """
            local f = redis.call('HMGET', KEYS[1], 'email', 'nonce', 'email_key')
            if not f[1] then return nil end
            if ARGV[1] ~= f[2] and ARGV[2] ~= '1' then return {'CONFIRM', f[1]} end
            redis.call('DEL', KEYS[1], 'auth:magic:nonce:' .. f[2])
            if redis.call('GET', f[3]) == ARGV[3] then redis.call('DEL', f[3]) end
            return {'OK', f[1]}
            """;

    /** KEYS[1] nonce pointer; ARGV: code hash, max wrong attempts. */
    private static final String CONSUME_CODE = """
            local tok = redis.call('GET', KEYS[1])
            if not tok then return nil end
            local rec = 'auth:magic:' .. tok
            local f = redis.call('HMGET', rec, 'email', 'code', 'email_key')
            if not f[1] then return nil end
            local outcome = 'OK'
            if f[2] ~= ARGV[1] then
              local n = redis.call('HINCRBY', rec, 'attempts', 1)
              if n < tonumber(ARGV[2]) then return {'WRONG_CODE', f[1]} end
              outcome = 'BURNED'
            end
            redis.call('DEL', rec, KEYS[1])
            if redis.call('GET', f[3]) == tok then redis.call('DEL', f[3]) end
            return {outcome, f[1]}
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

    /** Consumes the login unless the nonce differs and no confirmation was given (then only peeks). */
    public Optional<Result> consumeToken(String tokenHash, String nonceHash, boolean confirm) {
        return result(redis.execute("EVAL", CONSUME_TOKEN, "1", PREFIX + tokenHash,
                nonceHash == null ? "" : nonceHash, confirm ? "1" : "0", tokenHash));
    }

    public Optional<Result> consumeCode(String nonceHash, String codeHash, int maxAttempts) {
        return result(redis.execute("EVAL", CONSUME_CODE, "1", PREFIX + "nonce:" + nonceHash,
                codeHash, Integer.toString(maxAttempts)));
    }

    public void dropForEmail(String emailHash) {
        redis.execute("EVAL", DROP_FOR_EMAIL, "1", PREFIX + "email:" + emailHash);
    }

    private static Optional<Result> result(Response r) {
        if (r == null || r.type() != ResponseType.MULTI || r.size() < 2) {
            return Optional.empty();
        }
        return Optional.of(new Result(Outcome.valueOf(r.get(0).toString()), r.get(1).toString()));
    }
}
