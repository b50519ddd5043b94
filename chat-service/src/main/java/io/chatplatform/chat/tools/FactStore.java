package io.chatplatform.chat.tools;

import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.redis.datasource.list.ListCommands;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.List;

/** Facts a user asked the assistant to remember: a Redis list {@code chat:facts:{uid}}, newest last, capped. */
@ApplicationScoped
public class FactStore {

    private final ListCommands<String, String> lists;
    private final RedisDataSource redis;

    public FactStore(RedisDataSource redis) {
        this.redis = redis;
        this.lists = redis.list(String.class);
    }

    public static String key(String userId) {
        return "chat:facts:{" + userId + "}";
    }

    public void add(String userId, String fact, int max) {
        lists.rpush(key(userId), fact);
        lists.ltrim(key(userId), -max, -1);
    }

    public List<String> all(String userId) {
        return lists.lrange(key(userId), 0, -1);
    }

    public void deleteAll(String userId) {
        redis.key(String.class).del(key(userId));
    }
}
