package io.chatplatform.chat;

import io.chatplatform.chat.tools.FactStore;
import io.chatplatform.common.events.UserDeletedHandler;
import io.quarkus.redis.datasource.RedisDataSource;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * Everything chat-service keeps in Redis about a user, so an account deletion can remove it without scanning the
 * keyspace: keys whose name is not derived from the user id alone (stored turn results, quota days, cancel refs, the
 * event streams {@code chat:stream:{sid}} of the user's sessions) are listed in the per-user index set
 * {@code chat:keys:{uid}} when they are written (by the admission script and a new session's lock).
 * It is chat-service's handler of {@code user.deleted} (platform-common's consumer of {@code platform:user-events}).
 */
@ApplicationScoped
public class UserData implements UserDeletedHandler {

    /** Longer than the longest-lived indexed key (quota days: 2 days). */
    public static final Duration INDEX_TTL = Duration.ofDays(3);

    private final RedisDataSource redis;

    public UserData(RedisDataSource redis) {
        this.redis = redis;
    }

    public static String indexKey(String userId) {
        return "chat:keys:{" + userId + "}";
    }

    /** The turn rate-limit window (DESIGN {@code ratelimit:{service}:{scope}:{id}}, the id as the user's hash tag). */
    public static String rateLimitKey(String userId) {
        return "ratelimit:chat:turn:{" + userId + "}";
    }

    public static String factsKey(String userId) {
        return FactStore.key(userId);
    }

    @Override
    public String userDeleted(UUID userId) {
        return deleteAll(userId.toString()) + " Redis key(s) deleted";
    }

    /** Deletes every key of the user: the indexed ones, the facts, the rate-limit counter and the index itself. */
    public int deleteAll(String userId) {
        return deleteAll(userId, List.of());
    }

    /** Also deletes {@code named}: keys a caller knows of that the index may no longer list (it may be gone). */
    public int deleteAll(String userId, List<String> named) {
        Set<String> indexed = redis.set(String.class).smembers(indexKey(userId));
        List<String> keys = new ArrayList<>(indexed);
        keys.addAll(named);
        keys.add(FactStore.key(userId));
        keys.add(rateLimitKey(userId));
        keys.add(indexKey(userId));
        int deleted = 0;
        // one DEL per key: the keys live in different hash slots (cluster-safe)
        for (String k : keys) {
            deleted += redis.key(String.class).del(k);
        }
        return deleted;
    }
}
