package io.chatplatform.e2e;

import static io.chatplatform.e2e.StackUser.JSON;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * chat-service against the real session-service and PostgreSQL (its own tests fake session-service):
 * the history and session tools see only the caller's data as PostgreSQL's full-text search and the
 * list return it, a retried turn is stored once, and a second turn in a busy session is refused.
 * The stand-in model calls the tools its user text asks for and quotes their results.
 */
@Order(2)
@ExtendWith(LocalStack.class)
class ChatPathTest {

    private static final SecureRandom RANDOM = new SecureRandom();

    /** A word no other test or turn contains (letters only, so full-text search treats it as one word). */
    static String word() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 10; i++) {
            sb.append((char) ('a' + RANDOM.nextInt(26)));
        }
        return sb.toString();
    }

    static String email(String who) {
        return who + "-" + UUID.randomUUID().toString().substring(0, 8) + "@example.com";
    }

    @Test
    void historyAndSessionToolsSeeOnlyTheCallersOwnData() throws Exception {
        HttpClient alice = StackUser.newBrowser();
        HttpClient bob = StackUser.newBrowser();
        String aliceToken = StackUser.signIn(alice, email("alice"));
        String bobToken = StackUser.signIn(bob, email("bob"));
        String shared = word();
        String aliceOnly = word();
        String bobOnly = word();
        String aliceSession = StackUser.chat(alice, aliceToken, null, "Note for later " + shared + " " + aliceOnly)
                .path("session_id").asText();
        String bobSession = StackUser.chat(bob, bobToken, null, "Note for later " + shared + " " + bobOnly)
                .path("session_id").asText();

        // both wrote the shared word; each one's search finds their own message only
        JsonNode aliceFound = StackUser.chat(alice, aliceToken, aliceSession, "search my history for " + shared);
        assertTrue(StackUser.hasToolCall(aliceFound, "search_history"), aliceFound.toString());
        String aliceAnswer = seen(aliceFound);
        assertTrue(aliceAnswer.contains(aliceOnly), "her own message came back from the search: " + aliceAnswer);
        assertFalse(aliceAnswer.contains(bobOnly), "never someone else's: " + aliceAnswer);

        JsonNode bobFound = StackUser.chat(bob, bobToken, bobSession, "search my history for " + shared);
        assertTrue(StackUser.hasToolCall(bobFound, "search_history"), bobFound.toString());
        String bobAnswer = seen(bobFound);
        assertTrue(bobAnswer.contains(bobOnly), bobAnswer);
        assertFalse(bobAnswer.contains(aliceOnly), bobAnswer);

        // a word only Bob wrote: Alice's search finds her own question (stored before the model is called), never
        // Bob's note, in Bob's session
        JsonNode probe = StackUser.chat(alice, aliceToken, aliceSession, "search my history for " + bobOnly);
        assertTrue(StackUser.hasToolCall(probe, "search_history"), probe.toString());
        String probed = seen(probe);
        assertTrue(probed.contains("user: search my history for " + bobOnly), probed);
        assertFalse(probed.contains(shared + " " + bobOnly), "Bob's note stays Bob's: " + probed);

        // the session list: titles of Alice's sessions (her first message), not Bob's
        JsonNode listed = StackUser.chat(alice, aliceToken, aliceSession, "list my sessions");
        assertTrue(StackUser.hasToolCall(listed, "list_sessions"), listed.toString());
        String list = seen(listed);
        assertTrue(list.contains(aliceOnly), list);
        assertFalse(list.contains(bobOnly), list);
    }

    @Test
    void aRetriedTurnIsStoredOnceAndAnswersTheSame() throws Exception {
        HttpClient carol = StackUser.newBrowser();
        String token = StackUser.signIn(carol, email("carol"));
        String session = StackUser.chat(carol, token, null, "Hello").path("session_id").asText();
        String clientMessageId = UUID.randomUUID().toString();
        String text = "Once only " + word();

        HttpResponse<String> first = StackUser.post(carol, "/api/chat", token, StackUser.turn(session, text, clientMessageId));
        HttpResponse<String> retry = StackUser.post(carol, "/api/chat", token, StackUser.turn(session, text, clientMessageId));
        assertEquals(200, first.statusCode(), first.body());
        assertEquals(200, retry.statusCode(), retry.body());
        JsonNode a = JSON.readTree(first.body());
        JsonNode b = JSON.readTree(retry.body());
        assertEquals(a.path("message_id").asText(), b.path("message_id").asText(), "the first turn's result");
        assertEquals(a.path("response").asText(), b.path("response").asText());

        List<JsonNode> history = history(carol, token, session);
        assertEquals(1, history.stream().filter(m -> m.path("content").asText().equals(text)).count(),
                "the user message stored once: " + history);
        assertEquals(1, history.stream().filter(m -> m.path("role").asText().equals("assistant")
                && m.path("id").asText().equals(a.path("message_id").asText())).count(),
                "the answer stored once: " + history);
        assertEquals(4, history.size(), "two turns, two messages each: " + history);
    }

    @Test
    void aSecondTurnInABusySessionIsRefusedAndNothingOfItIsStored() throws Exception {
        HttpClient dave = StackUser.newBrowser();
        String token = StackUser.signIn(dave, email("dave"));
        String session = StackUser.chat(dave, token, null, "Hello").path("session_id").asText();

        HttpResponse<String> slow = StackUser.post(dave, "/api/chat", token,
                StackUser.turn(session, "Take your time [[stub:first-token-delay=3000]]", null), "Prefer", "respond-async");
        assertEquals(202, slow.statusCode(), slow.body());
        String slowAnswer = JSON.readTree(slow.body()).path("message_id").asText();

        String impatient = "Impatient " + word();
        HttpResponse<String> second = StackUser.post(dave, "/api/chat", token, StackUser.turn(session, impatient, null));
        assertEquals(409, second.statusCode(), second.body());
        assertTrue(second.headers().firstValue("Content-Type").orElse("").startsWith("application/problem+json"),
                second.headers().toString());

        // the first turn still completes (its answer is written as it grows: wait for the finished one); the
        // refused one left no trace
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500)).until(() ->
                history(dave, token, session).stream().anyMatch(m -> m.path("role").asText().equals("assistant")
                        && m.path("id").asText().equals(slowAnswer)
                        && m.path("metadata").path("finish_reason").asText().equals("stop")));
        assertFalse(history(dave, token, session).stream().anyMatch(m -> m.path("content").asText().contains(impatient)),
                "the refused turn stored nothing");
        // and the session takes turns again once the finished turn has released its lock (right after its final
        // write); the same client_message_id each try, so a refused try leaves nothing and only one is stored
        String next = UUID.randomUUID().toString();
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200)).until(() ->
                StackUser.post(dave, "/api/chat", token, StackUser.turn(session, "Now it is my turn", next))
                        .statusCode() == 200);
        assertEquals(1, history(dave, token, session).stream()
                .filter(m -> m.path("content").asText().equals("Now it is my turn")).count());
    }

    /** The answer and the tool results it was built from (the stand-in quotes only the first 300 characters). */
    private static String seen(JsonNode answer) {
        StringBuilder sb = new StringBuilder(answer.path("response").asText());
        answer.path("tool_calls").forEach(call -> sb.append('\n').append(call.path("summary").asText()));
        return sb.toString();
    }

    private static List<JsonNode> history(HttpClient user, String token, String session) throws Exception {
        HttpResponse<String> r = StackUser.get(user, "/api/sessions/" + session + "/messages?limit=200", token);
        assertEquals(200, r.statusCode(), r.body());
        List<JsonNode> items = new ArrayList<>();
        JSON.readTree(r.body()).path("items").forEach(items::add);
        return items;
    }
}
