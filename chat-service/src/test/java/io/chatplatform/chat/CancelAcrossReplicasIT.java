package io.chatplatform.chat;

import com.fasterxml.jackson.databind.JsonNode;
import io.restassured.response.Response;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Stop across replicas across a Redis restart: a turn runs on replica A, Redis restarts (its data kept), and the
 * Stop reaches replica B, which hands it to A over {@code chat:cancel}. The stand-in would stream for 100 s: the
 * turn must end cancelled long before that, so A must have subscribed to the channel again.
 */
class CancelAcrossReplicasIT {

    static final PrivateRedisResource redis = new PrivateRedisResource();
    static final LlmStubResource model = new LlmStubResource();
    static final FakeSessionService sessions = new FakeSessionService();
    static ChatReplica a;
    static ChatReplica b;

    @BeforeAll
    static void startReplicas() throws Exception {
        Assumptions.assumeTrue(ChatReplica.packaged(), "needs the JVM package (target/quarkus-app): skipped");
        Map<String, String> config = new HashMap<>(new ChatItConfig().start());
        config.putAll(redis.start());
        config.putAll(model.start());
        config.putAll(sessions.start());
        a = ChatReplica.start("a", config);
        b = ChatReplica.start("b", config);
    }

    @AfterAll
    static void stopReplicas() throws Exception {
        for (ChatReplica r : new ChatReplica[] {a, b}) {
            if (r != null) {
                r.close();
            }
        }
        sessions.stop();
        model.stop();
        redis.stop();
    }

    @Test
    void aStopSentToAnotherReplicaAfterARedisRestartCancelsTheTurn() {
        String user = UUID.randomUUID().toString();
        String m = ChatTestSupport.marker();
        Response started = a.as(user).header("Prefer", "respond-async")
                .body(Map.of("message", "a long answer " + m + " [[stub:tokens=2000,token-delay=50]]")).post("/api/chat");
        started.then().statusCode(202);
        String mid = started.path("message_id");
        String sid = started.path("session_id");
        Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> ChatTestSupport.stubRequests(m).path("count").asLong() > 0);

        redis.restart();
        Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                .until(() -> a.ready() && b.ready());

        b.as(user).post("/api/chat/" + mid + "/cancel").then().statusCode(202);

        Awaitility.await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100)).ignoreExceptions()
                .until(() -> ChatTestSupport.storedAssistant(sid, mid).path("metadata").path("cancelled").asBoolean());
        JsonNode stored = ChatTestSupport.storedAssistant(sid, mid);
        assertEquals("cancelled", stored.path("metadata").path("finish_reason").asText());
        assertTrue(ChatTestSupport.stubRequests(m).path("count").asLong() == 1, "the cancelled turn was not retried");
    }
}
