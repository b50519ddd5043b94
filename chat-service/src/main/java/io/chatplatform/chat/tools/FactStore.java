package io.chatplatform.chat.tools;

import io.chatplatform.common.token.TokenRevoker;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.redis.datasource.list.ListCommands;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.List;

/** Facts a user asked the assistant to remember: a Redis list {@code chat:facts:{uid}}, newest last, capped. */
@ApplicationScoped
public class FactStore {

    private static final String ADD = """
            if redis.call('EXISTS', KEYS[2]) == 1 then return 0 end
            redis.call('RPUSH', KEYS[1], ARGV[1])
            redis.call('LTRIM', KEYS[1], -tonumber(ARGV[2]), -1)
            return 1
            """;

    private final ListCommands<String, String> lists;
    private final RedisDataSource redis;

    public FactStore(RedisDataSource redis) {
        this.redis = redis;
        this.lists = redis.list(String.class);
    }

    public static String key(String userId) {
        return "chat:facts:{" + userId + "}";
    }

    /**
     * Appends a fact unless the account is deleted: a turn still running when the deletion ran must not leave a
     * fact behind. The check is atomic with the write, and cluster-safe: the revocation key shares the
     * {@code {uid}} hash tag. Returns false when refused.
     */
    public boolean add(String userId, String fact, int max) {
        return redis.execute("EVAL", ADD, "2", key(userId), TokenRevoker.userKey(userId), fact, Integer.toString(max))
                .toInteger() == 1;
    }

    public List<String> all(String userId) {
        return lists.lrange(key(userId), 0, -1);
    }

    public void deleteAll(String userId) {
        redis.key(String.class).del(key(userId));
    }
}
