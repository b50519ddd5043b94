package io.chatplatform.auth.magic;

import io.quarkus.redis.datasource.RedisDataSource;
import io.vertx.mutiny.redis.client.Response;
import io.vertx.redis.client.ResponseType;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Duration;
import java.util.Optional;

/**
 * Pending logins in Redis (new key names for the sets, so a rollout never meets the former string
 * pointers with another type). Each link is a hash {@code auth:magic:<H(token)>} (email, address hash,
 * nonce hash, code hash); {@code auth:magic:browser:<H(nonce)>} is the set of the links a browser asked
 * for (its code path) and {@code auth:magic:pending:{H(address)}} the set of an address' pending links.
 * A new request adds a link and never removes one. Wrong codes are counted per browser
 * ({@code auth:magic:browser-fails:<H(nonce)>}: too many burn that browser's links) and per address across
 * requests ({@code auth:magic:code-fails:{H(address)}}: at the budget every pending code of the address
 * is void for the window; links still work).
 * Verifying claims a link (one verifier at a time) and consumes it only once the login's database work
 * has committed, so a database failure does not burn it. Every operation is one Lua script.
 */
@ApplicationScoped
public class MagicLinkStore {

    static final String PREFIX = "auth:magic:";

    public enum Outcome { OK, CONFIRM, WRONG_CODE, BURNED, CODES_LOCKED, LOCKED_NOW }

    /** The outcome of a claim; {@code claim} is set when it is {@link Outcome#OK}. */
    public record Result(Outcome outcome, String email, Claim claim) {
    }

    /** A login held while its database work runs: the record's key and the claim's random id. */
    public record Claim(String record, String id) {
    }

    /** The secrets of one request, hashed, in two variants: for the browser's own nonce and for a fresh one. */
    public record NewLink(String tokenHash, String email, String emailHash, String presentedNonceHash,
                          String presentedCodeHash, String freshNonceHash, String freshCodeHash) {
    }

    /**
     * KEYS: record, pending set, presented nonce set (or the fresh one), fresh nonce set. A browser that
     * still has pending links for this address keeps its nonce, so every code it was sent works there.
     * Returns 'presented' or 'fresh'.
     */
    private static final String STORE = """
            local use = 'fresh'
            if ARGV[3] ~= '' then
              for _, t in ipairs(redis.call('SMEMBERS', KEYS[3])) do
                local a = redis.call('HGET', 'auth:magic:' .. t, 'addr')
                if not a then redis.call('SREM', KEYS[3], t)
                elseif a == ARGV[8] then use = 'presented'
                else use = 'fresh'; break end
              end
            end
            local nk, nh, ch = KEYS[4], ARGV[5], ARGV[6]
            if use == 'presented' then nk, nh, ch = KEYS[3], ARGV[3], ARGV[4] end
            redis.call('HSET', KEYS[1], 'token', ARGV[1], 'email', ARGV[2], 'addr', ARGV[8], 'nonce', nh, 'code', ch)
            redis.call('PEXPIRE', KEYS[1], ARGV[7])
            redis.call('SADD', nk, ARGV[1]); redis.call('PEXPIRE', nk, ARGV[7])
            redis.call('SADD', KEYS[2], ARGV[1]); redis.call('PEXPIRE', KEYS[2], ARGV[7])
            return use
            """;

    /**
     * A claimed login is held for the login's database work, not consumed: {@link #finish} deletes it
     * once that work has committed, {@link #release} frees it when the work failed. A claim left by a
     * crashed request lapses after the hold.
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

    /**
     * KEYS: the browser's nonce set, its wrong-code counter. ARGV: code hash, wrong codes per browser,
     * claim id, now (ms), hold (ms), wrong codes per address, their window (ms), link TTL (ms).
     */
    private static final String CLAIM_CODE = """
            local live, match, addr, email = 0, nil, nil, nil
            for _, t in ipairs(redis.call('SMEMBERS', KEYS[1])) do
              local f = redis.call('HMGET', 'auth:magic:' .. t, 'email', 'code', 'addr', 'claim_until')
              if not f[1] then redis.call('SREM', KEYS[1], t) else
                live = live + 1; addr = f[3]; email = f[1]
                if f[2] == ARGV[1] then
                  if f[4] and tonumber(f[4]) > tonumber(ARGV[4]) then return nil end
                  match = t
                end
              end
            end
            if live == 0 or not addr then return nil end
            local fails = 'auth:magic:code-fails:{' .. addr .. '}'
            if tonumber(redis.call('GET', fails) or '0') >= tonumber(ARGV[6]) then return {'CODES_LOCKED', email} end
            if match then
              local rec = 'auth:magic:' .. match
              redis.call('HSET', rec, 'claim', ARGV[3], 'claim_until', tonumber(ARGV[4]) + tonumber(ARGV[5]))
              return {'OK', redis.call('HGET', rec, 'email'), rec}
            end
            local n = redis.call('INCR', fails)
            if n == 1 then redis.call('PEXPIRE', fails, ARGV[7]) end
            if n >= tonumber(ARGV[6]) then
              for _, t in ipairs(redis.call('SMEMBERS', 'auth:magic:pending:{' .. addr .. '}')) do
                redis.call('HDEL', 'auth:magic:' .. t, 'code')
              end
              return {'LOCKED_NOW', email}
            end
            local b = redis.call('INCR', KEYS[2])
            if b == 1 then redis.call('PEXPIRE', KEYS[2], ARGV[8]) end
            if b < tonumber(ARGV[2]) then return {'WRONG_CODE', email} end
            for _, t in ipairs(redis.call('SMEMBERS', KEYS[1])) do
              local a = redis.call('HGET', 'auth:magic:' .. t, 'addr')
              if a then redis.call('SREM', 'auth:magic:pending:{' .. a .. '}', t) end
              redis.call('DEL', 'auth:magic:' .. t)
            end
            redis.call('DEL', KEYS[1], KEYS[2])
            return {'BURNED', email}
            """;

    /** KEYS[1] record; ARGV: claim id. Single use: the login committed, so the link and its code die. */
    private static final String FINISH = """
            if redis.call('HGET', KEYS[1], 'claim') ~= ARGV[1] then return 0 end
            local f = redis.call('HMGET', KEYS[1], 'token', 'nonce', 'addr')
            redis.call('DEL', KEYS[1])
            if f[1] and f[2] then redis.call('SREM', 'auth:magic:browser:' .. f[2], f[1]) end
            if f[1] and f[3] then redis.call('SREM', 'auth:magic:pending:{' .. f[3] .. '}', f[1]) end
            return 1
            """;

    /** KEYS[1] record; ARGV: claim id. The login's database work failed: the link works again. */
    private static final String RELEASE = """
            if redis.call('HGET', KEYS[1], 'claim') ~= ARGV[1] then return 0 end
            redis.call('HDEL', KEYS[1], 'claim', 'claim_until')
            return 1
            """;

    /** KEYS[1] the address' pending set. */
    private static final String DROP_FOR_EMAIL = """
            for _, t in ipairs(redis.call('SMEMBERS', KEYS[1])) do
              local nonce = redis.call('HGET', 'auth:magic:' .. t, 'nonce')
              redis.call('DEL', 'auth:magic:' .. t)
              if nonce then redis.call('SREM', 'auth:magic:browser:' .. nonce, t) end
            end
            redis.call('DEL', KEYS[1])
            return 1
            """;

    private final RedisDataSource redis;

    public MagicLinkStore(RedisDataSource redis) {
        this.redis = redis;
    }

    /** True while the browser with this nonce has pending links (it got its nonce from an earlier request). */
    public boolean knowsBrowser(String nonceHash) {
        return redis.key(String.class).exists(PREFIX + "browser:" + nonceHash);
    }

    /** Adds a pending link; true when the browser's own nonce was kept, false when the fresh one is now its nonce. */
    public boolean store(NewLink l, Duration ttl) {
        String presented = l.presentedNonceHash() == null ? "" : l.presentedNonceHash();
        Response r = redis.execute("EVAL", STORE, "4", PREFIX + l.tokenHash(), pending(l.emailHash()),
                PREFIX + "browser:" + (presented.isEmpty() ? l.freshNonceHash() : presented),
                PREFIX + "browser:" + l.freshNonceHash(),
                l.tokenHash(), l.email(), presented, l.presentedCodeHash() == null ? "" : l.presentedCodeHash(),
                l.freshNonceHash(), l.freshCodeHash(), Long.toString(ttl.toMillis()), l.emailHash());
        return "presented".equals(r.toString());
    }

    /** Claims the login unless the nonce differs and no confirmation was given (then only peeks). */
    public Optional<Result> claimToken(String tokenHash, String nonceHash, boolean confirm, String claimId, Duration hold) {
        return result(redis.execute("EVAL", CLAIM_TOKEN, "1", PREFIX + tokenHash,
                nonceHash == null ? "" : nonceHash, confirm ? "1" : "0", claimId, now(), millis(hold)), claimId);
    }

    /** Wrong-code budgets: per browser (burns its links), per address across requests (voids its codes). */
    public record CodeBudget(int perBrowser, int perAddress, Duration addressWindow, Duration linkTtl) {
    }

    public Optional<Result> claimCode(String nonceHash, String codeHash, CodeBudget budget, String claimId, Duration hold) {
        return result(redis.execute("EVAL", CLAIM_CODE, "2", PREFIX + "browser:" + nonceHash,
                PREFIX + "browser-fails:" + nonceHash, codeHash, Integer.toString(budget.perBrowser()), claimId, now(),
                millis(hold), Integer.toString(budget.perAddress()), millis(budget.addressWindow()),
                millis(budget.linkTtl())), claimId);
    }

    /** Consumes a claimed login (its database work has committed). */
    public void finish(Claim claim) {
        redis.execute("EVAL", FINISH, "1", claim.record(), claim.id());
    }

    /** Frees a claimed login whose database work failed, so the same link or code works again. */
    public void release(Claim claim) {
        redis.execute("EVAL", RELEASE, "1", claim.record(), claim.id());
    }

    public void dropForEmail(String emailHash) {
        redis.execute("EVAL", DROP_FOR_EMAIL, "1", pending(emailHash));
    }

    /** Braces literal: the address hash is the Redis Cluster hash tag of the address' keys. */
    private static String pending(String emailHash) {
        return PREFIX + "pending:{" + emailHash + "}";
    }

    private static String now() {
        return Long.toString(System.currentTimeMillis());
    }

    private static String millis(Duration d) {
        return Long.toString(d.toMillis());
    }

    private static Optional<Result> result(Response r, String claimId) {
        if (r == null || r.type() != ResponseType.MULTI || r.size() < 2) {
            return Optional.empty();
        }
        Claim claim = r.size() > 2 ? new Claim(r.get(2).toString(), claimId) : null;
        return Optional.of(new Result(Outcome.valueOf(r.get(0).toString()), r.get(1).toString(), claim));
    }
}
