package io.chatplatform.chat;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Edit-and-resend ({@code edit_of}) and regenerate ({@code regenerate_of}): what reaches begin-turn and the model. */
@QuarkusTest
class BranchTurnTest extends ChatTestSupport {

    /** Two turns; returns the session id. */
    private static String twoTurns(String user, String first, String second) {
        String sid = chat(user, Map.of("message", first)).then().statusCode(200).extract().path("session_id");
        chat(user, Map.of("session_id", sid, "message", second)).then().statusCode(200);
        return sid;
    }

    private static JsonNode stored(String sid, int index) {
        return FakeSessionService.messages(sid).get(index);
    }

    private static JsonNode lastBegin(String sid) {
        List<JsonNode> bodies = FakeSessionService.beginBodies(sid);
        return bodies.get(bodies.size() - 1);
    }

    @Test
    void aRegenerateAnswersTheStoredUserMessageAgainWithTheContextBeforeIt() {
        String user = newUser();
        String m = marker();
        String sid = twoTurns(user, "first question", "second question " + m);
        String userMessage = stored(sid, 2).path("id").asText();
        String oldAnswer = stored(sid, 3).path("id").asText();

        Response r = chat(user, Map.of("session_id", sid, "regenerate_of", userMessage, "client_message_id", "regen-" + m));
        // the model got system + first question + its answer + the stored user message: not the old answer
        r.then().statusCode(200).body("response", containsString("You said: \"second question " + m + "\""))
                .body("response", containsString("I received 4 messages"));
        JsonNode log = stubRequests(m);
        assertEquals(2, log.path("count").asLong(), "the second question went to the model again");
        // what the stand-in received: the context before the user message, then that message; no old answer
        JsonNode input = log.path("inputs").get(1);
        assertEquals(4, input.size(), input.toString());
        assertTrue(input.get(0).asText().startsWith("system: "));
        assertEquals("user: first question", input.get(1).asText());
        assertTrue(input.get(2).asText().startsWith("assistant: ") && input.get(2).asText().contains("first question"), input.toString());
        assertEquals("user: second question " + m, input.get(3).asText());

        JsonNode begin = lastBegin(sid);
        assertEquals(userMessage, begin.path("regenerate_of").asText(), "regenerate_of reached begin-turn");
        assertFalse(begin.has("content"), "no user message is stored by a regenerate: " + begin);
        assertFalse(begin.has("edit_of"));

        // the branch shown: the same user message, then the new answer instead of the old one
        List<JsonNode> branch = FakeSessionService.messages(sid);
        assertEquals(4, branch.size());
        assertEquals(userMessage, branch.get(2).path("id").asText());
        assertEquals(r.path("message_id").toString(), branch.get(3).path("id").asText());
        assertTrue(!oldAnswer.equals(branch.get(3).path("id").asText()));

        // message.created names the existing user message, so a page opened mid-answer replays the turn from it
        List<JsonNode> created = eventsOfType(sid, "message.created");
        JsonNode last = created.get(created.size() - 1);
        assertEquals(userMessage, last.path("message_id").asText());
        assertEquals("second question " + m, last.path("content").asText());
        assertEquals(userMessage, last.path("regenerate_of").asText());
        assertEquals("regen-" + m, last.path("client_message_id").asText());
        assertEquals(1, last.path("version").asInt());
        assertEquals(1, last.path("versions").asInt());
        assertEquals(3, last.path("seq").asInt());
    }

    @Test
    void aRegenerateIsIdempotentOnItsClientMessageId() {
        String user = newUser();
        String m = marker();
        String sid = twoTurns(user, "one", "two " + m);
        String userMessage = stored(sid, 2).path("id").asText();
        Map<String, Object> body = Map.of("session_id", sid, "regenerate_of", userMessage, "client_message_id", "again-" + m);
        Response first = chat(user, body);
        first.then().statusCode(200);
        chat(user, body).then().statusCode(200).body("message_id", equalTo(first.path("message_id")));
        assertEquals(2, stubRequests(m).path("count").asLong(), "the replay did not call the model");
    }

    @Test
    void anEditStoresTheNextVersionAndTheModelNeverSeesTheOldBranch() {
        String user = newUser();
        String old = marker();
        String m = marker();
        String sid = twoTurns(user, "keep this", "old wording " + old);
        String edited = stored(sid, 2).path("id").asText();

        Response r = chat(user, Map.of("session_id", sid, "edit_of", edited, "message", "new wording " + m));
        r.then().statusCode(200).body("response", containsString("You said: \"new wording " + m + "\""))
                .body("response", containsString("I received 4 messages"));
        JsonNode input = stubRequests(m).path("inputs").get(0);
        assertEquals("user: keep this", input.get(1).asText(), input.toString());
        assertEquals("user: new wording " + m, input.get(input.size() - 1).asText());
        assertFalse(input.toString().contains(old), "the old branch is not in the model input: " + input);
        JsonNode begin = lastBegin(sid);
        assertEquals(edited, begin.path("edit_of").asText(), "edit_of reached begin-turn");
        assertEquals("new wording " + m, begin.path("content").asText());

        List<JsonNode> branch = FakeSessionService.messages(sid);
        assertEquals(4, branch.size());
        assertTrue(branch.stream().noneMatch(x -> x.path("content").asText().contains(old)), "the old version left the branch");
        List<JsonNode> created = eventsOfType(sid, "message.created");
        JsonNode last = created.get(created.size() - 1);
        assertEquals(branch.get(2).path("id").asText(), last.path("message_id").asText());
        assertEquals(edited, last.path("edit_of").asText());
        assertEquals("new wording " + m, last.path("content").asText());
        assertEquals(2, last.path("version").asInt());
        assertEquals(2, last.path("versions").asInt());
        assertFalse(last.has("regenerate_of"));

        // the old version is off the branch shown now: session-service's 409 comes back as a 409 problem
        chat(user, Map.of("session_id", sid, "regenerate_of", edited)).then().statusCode(409)
                .contentType("application/problem+json").body("detail", containsString("not on the branch shown"));
    }

    @Test
    void branchFieldsAreValidatedAsProblems() {
        String user = newUser();
        String sid = twoTurns(user, "a", "b");
        String userMessage = stored(sid, 0).path("id").asText();
        String answer = stored(sid, 1).path("id").asText();
        int begun = FakeSessionService.beginBodies(sid).size();
        chat(user, Map.of("session_id", sid, "edit_of", userMessage, "regenerate_of", userMessage, "message", "x"))
                .then().statusCode(400).contentType("application/problem+json").body("detail", containsString("exclude each other"));
        chat(user, Map.of("session_id", sid, "edit_of", userMessage)).then().statusCode(400)
                .body("detail", containsString("message is required"));
        chat(user, Map.of("session_id", sid)).then().statusCode(400).body("detail", containsString("message is required"));
        chat(user, Map.of("session_id", sid, "regenerate_of", userMessage, "message", "extra")).then().statusCode(400)
                .body("detail", containsString("message must be absent"));
        chat(user, Map.of("regenerate_of", userMessage)).then().statusCode(400).body("detail", containsString("needs session_id"));
        chat(user, Map.of("session_id", sid, "edit_of", "not-a-uuid", "message", "x")).then().statusCode(400);
        assertEquals(begun, FakeSessionService.beginBodies(sid).size(), "nothing reached session-service");

        // session-service's 400 (an assistant message, or one not in the session) is a 400 problem
        chat(user, Map.of("session_id", sid, "regenerate_of", answer)).then().statusCode(400)
                .contentType("application/problem+json").body("detail", containsString("Not a user message"));
        chat(user, Map.of("session_id", sid, "edit_of", UUID.randomUUID().toString(), "message", "x")).then().statusCode(400);
        // the session's lock was released after each refusal
        chat(user, Map.of("session_id", sid, "message", "still works")).then().statusCode(200);
    }
}
