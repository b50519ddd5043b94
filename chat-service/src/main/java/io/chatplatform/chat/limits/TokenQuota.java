package io.chatplatform.chat.limits;

import io.chatplatform.chat.ChatConfig;
import io.chatplatform.chat.UserData;
import io.chatplatform.common.ProblemException;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.redis.datasource.value.ValueCommands;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;

/** Daily token budget per user: a Redis counter {@code chat:quota:{uid}:<UTC date>} expiring after two days. */
@ApplicationScoped
public class TokenQuota {

    private final ValueCommands<String, Long> values;
    private final RedisDataSource redis;
    private final ChatConfig config;
    private final UserData userData;

    public TokenQuota(RedisDataSource redis, ChatConfig config, UserData userData) {
        this.redis = redis;
        this.userData = userData;
        this.values = redis.value(Long.class);
        this.config = config;
    }

    public static String key(String userId, LocalDate day) {
        return "chat:quota:{" + userId + "}:" + day;
    }

    public long used(String userId) {
        Long v = values.get(key(userId, LocalDate.now(ZoneOffset.UTC)));
        return v == null ? 0 : v;
    }

    /** Throws 429 until the next UTC midnight when today's budget is spent; returns what is left. */
    public long checkRemaining(String userId) {
        long left = config.dailyTokenQuota() - used(userId);
        if (left <= 0) {
            throw ProblemException.tooManyRequests(untilMidnight(), "Daily token quota exhausted.")
                    .extension("quota", "daily_tokens");
        }
        return left;
    }

    public void add(String userId, long tokens) {
        String k = key(userId, LocalDate.now(ZoneOffset.UTC));
        values.incrby(k, tokens);
        redis.key(String.class).expire(k, Duration.ofDays(2));
        userData.track(userId, k);
    }

    static Duration untilMidnight() {
        ZonedDateTime now = ZonedDateTime.now(ZoneOffset.UTC);
        return Duration.between(now, now.toLocalDate().plusDays(1).atStartOfDay(ZoneOffset.UTC));
    }
}
