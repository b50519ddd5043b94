package io.chatplatform.auth;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.redis.datasource.stream.StreamMessage;
import io.quarkus.redis.datasource.stream.StreamRange;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;

import static io.chatplatform.auth.TestSupport.*;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.*;

/**
 * The scheduled half of the outbox: an event whose XADD failed after its commit stays in
 * user_events_outbox, and the drainer delivers it later and only then removes it.
 */
@QuarkusTest
@TestProfile(UserEventOutboxTest.FrequentDrain.class)
class UserEventOutboxTest {

    public static class FrequentDrain implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("auth.outbox.drain-interval", "1s");
        }
    }

    @Inject
    RedisDataSource redis;

    @Inject
    EntityManager em;

    @Test
    void anEventLeftInTheOutboxIsDeliveredByTheDrainerAndRemoved() {
        String userId = UUID.randomUUID().toString();
        String before = lastUserEventId(redis);
        // what a failed XADD leaves behind: the deletion committed a minute ago, its event still pending
        QuarkusTransaction.requiringNew().run(() -> em.createNativeQuery(
                        "insert into user_events_outbox (type, user_id, occurred_at) "
                                + "values ('user.deleted', cast(?1 as uuid), now() - interval '1 minute')")
                .setParameter(1, userId).executeUpdate());

        // no request runs here, so only the scheduled drainer can send it
        await().atMost(Duration.ofSeconds(30)).until(() -> userEventAfter(redis, before, userId).isPresent());
        StreamMessage<String, String, String> event = userEventAfter(redis, before, userId).orElseThrow();
        assertEquals(Map.of("type", "user.deleted", "user_id", userId, "ts", event.payload().get("ts")),
                event.payload(), "the same fields as an event sent right after the deletion");
        Instant ts = Instant.parse(event.payload().get("ts"));
        assertTrue(Duration.between(ts, Instant.now()).toSeconds() >= 59, "ts is when it happened, not when sent: " + ts);

        await().atMost(Duration.ofSeconds(30)).until(() -> pendingUserEvents(em, userId) == 0);
        // removed together with its one XADD: it is not sent again on the next runs
        assertEquals(1, redis.stream(String.class).xrange(USER_EVENTS, StreamRange.of(before, "+")).stream()
                .filter(e -> userId.equals(e.payload().get("user_id"))).count());
    }
}
