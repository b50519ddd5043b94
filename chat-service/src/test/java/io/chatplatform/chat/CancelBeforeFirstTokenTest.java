package io.chatplatform.chat;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Cancel while the model has not sent its first token. With an 8 s first-token timeout a turn that ignored the
 * cancel would time out and be retried (seen by the stand-in) and end failed, not cancelled. The stand-in holds its response back for 25 s, then would stream
 * 2,000 tokens for 100 s: the turn must end well before the first of them, and the HTTP stream must be gone as
 * soon as the stand-in answers (the REST client can only close the connection once response headers arrive).
 */
@QuarkusTest
@TestProfile(TunedProfile.class)
class CancelBeforeFirstTokenTest extends ChatTestSupport {

    @Test
    void cancelBeforeTheFirstTokenEndsTheTurnClosesTheModelStreamAndReleasesTheSession() {
        String user = newUser();
        String sid = chat(user, Map.of("message", "open a session")).then().statusCode(200).extract().path("session_id");
        String m = marker();
        long inFlight = stubStats().path("in_flight").asLong();

        Response r = as(user).header("Prefer", "respond-async")
                .body(Map.of("session_id", sid, "message", "think long " + m + " [[stub:first-token-delay=25000,tokens=2000,token-delay=50]]")).post("/api/chat");
        r.then().statusCode(202);
        String mid = r.path("message_id");
        // the model call is out and waiting for its first token
        Awaitility.await().atMost(Duration.ofSeconds(20))
                .until(() -> stubRequests(m).path("count").asLong() > 0);
        assertTrue(eventsOfType(sid, "message.delta").stream().noneMatch(e -> mid.equals(e.path("message_id").asText())));

        as(user).post("/api/chat/" + mid + "/cancel").then().statusCode(202);

        // ends before the stand-in answers (25 s): completed as cancelled, with the empty partial answer
        Awaitility.await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50))
                .until(() -> eventsOfType(sid, "message.completed").stream().anyMatch(e -> mid.equals(e.path("message_id").asText())));
        List<JsonNode> mine = events(sid).stream().filter(e -> mid.equals(e.path("message_id").asText())).toList();
        assertEquals(List.of("message.completed"), mine.stream().map(e -> e.path("type").asText()).toList(),
                "no delta, no failure, just the completion: " + mine);
        JsonNode completed = mine.get(0);
        assertEquals("cancelled", completed.path("finish_reason").asText());
        assertTrue(completed.path("cancelled").asBoolean());
        assertEquals("", completed.path("content").asText());
        JsonNode stored = storedAssistant(sid, mid);
        assertEquals("", stored.path("content").asText());
        assertTrue(stored.path("metadata").path("cancelled").asBoolean());
        assertEquals("cancelled", stored.path("metadata").path("finish_reason").asText());

        // the session lock was released at once
        chat(user, Map.of("session_id", sid, "message", "next please " + m)).then().statusCode(200)
                .body("response", containsString("next please"));

        // the upstream stream is closed once the stand-in answers (this profile's stand-in serves only its own tests,
        // whose turns have all ended by now) (not after its 100 s of tokens), never retried
        Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> stubStats().path("in_flight").asLong() <= inFlight);
        assertEquals(2, stubRequests(m).path("count").asLong(), "one call for the cancelled turn (no retry), one for the next");
    }
}
