package io.chatplatform.chat;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A hundred turns at once (the concurrency the chat-turn benchmark measures) all reach the model together: no
 * connection pool in front of the model makes turns wait (the REST client's default pool of 50 would: the pool is
 * sized from {@code chat.max-concurrent-turns}, 200 by default). The
 * stand-in holds every first token back for 40 s and the first-token timeout is longer, so no call can end (and
 * free its connection) or be retried while the test counts: 100 model calls seen means 100 streams open at once.
 * The turns are cancelled afterwards.
 */
@QuarkusTest
@TestProfile(ModelPoolTest.Profile.class)
class ModelPoolTest extends ChatTestSupport {

    static final int TURNS = 100;

    public static class Profile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("chat.first-token-timeout", "60s");
        }
    }

    @Test
    void aHundredConcurrentTurnsAllReachTheModelAtOnce() {
        String m = marker();
        List<String[]> turns = new ArrayList<>();
        for (int i = 0; i < TURNS; i++) {
            String user = newUser();
            Response r = as(user).header("Prefer", "respond-async")
                    .body(Map.of("message", "wait " + m + " [[stub:first-token-delay=40000,tokens=2]]")).post("/api/chat");
            r.then().statusCode(202);
            turns.add(new String[] {user, r.path("message_id")});
        }
        try {
            Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                    .until(() -> stubRequests(m).path("count").asLong() >= TURNS);
        } finally {
            for (String[] t : turns) {
                as(t[0]).post("/api/chat/" + t[1] + "/cancel");
            }
        }
    }
}
