package io.chatplatform.relay;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.UUID;

import org.awaitility.Awaitility;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

/** Browser -> relay frames: forwarding to chat-service, errors that keep the connection, and limits that close it. */
@QuarkusTest
@QuarkusTestResource(FakeNeighbours.class)
class InboundFramesTest {

    @ConfigProperty(name = "quarkus.http.test-port")
    int port;
    @ConfigProperty(name = "relay.max-inbound-bytes")
    int maxBytes;
    @ConfigProperty(name = "relay.max-inbound-frames")
    int maxFrames;

    String session;
    String token;
    WsClient c;

    @BeforeEach
    void setUp() throws Exception {
        FakeNeighbours.boot();
        session = UUID.randomUUID().toString();
        token = TestTokens.token(UUID.randomUUID().toString());
        FakeNeighbours.own(session, token);
        c = WsClient.connect(port, session, token, null);
        c.nextOfType("ready", 5000);
    }

    @Test
    void pingIsAnsweredWithPong() throws Exception {
        c.send("{\"type\":\"ping\"}");
        assertTrue(c.nextOfType("pong", 5000).has("ts"));
        c.close();
    }

    @Test
    void messageSendIsForwardedToChatServiceWithTheUsersJwtAndRespondAsync() throws Exception {
        c.send("{\"type\":\"message.send\",\"content\":\"hello <b>there</b>\",\"client_message_id\":\"c-1\"}");
        Awaitility.await().untilAsserted(() -> FakeNeighbours.server.verify(1, postRequestedFor(urlEqualTo("/api/chat"))
                .withHeader("Authorization", equalTo("Bearer " + token))
                .withHeader("Prefer", equalTo("respond-async"))
                .withRequestBody(equalToJson("{\"session_id\":\"" + session
                        + "\",\"message\":\"hello <b>there</b>\",\"client_message_id\":\"c-1\"}"))));
        // chat-service's 202 names the answer's message id: the browser learns it before the first event
        JsonNode accepted = c.nextOfType("accepted", 5000);
        assertEquals("c-1", accepted.get("client_message_id").asText());
        assertEquals("m", accepted.get("message_id").asText());
        c.close();
    }

    @Test
    void anEditIsAMessageSendWithEditOfForwardedAsIs() throws Exception {
        String edited = UUID.randomUUID().toString();
        c.send("{\"type\":\"message.send\",\"content\":\"better wording\",\"client_message_id\":\"c-e\",\"edit_of\":\""
                + edited + "\"}");
        Awaitility.await().untilAsserted(() -> FakeNeighbours.server.verify(1, postRequestedFor(urlEqualTo("/api/chat"))
                .withHeader("Authorization", equalTo("Bearer " + token))
                .withHeader("Prefer", equalTo("respond-async"))
                .withRequestBody(equalToJson("{\"session_id\":\"" + session + "\",\"message\":\"better wording\","
                        + "\"client_message_id\":\"c-e\",\"edit_of\":\"" + edited + "\"}"))));
        assertEquals("c-e", c.nextOfType("accepted", 5000).get("client_message_id").asText());
        c.close();
    }

    @Test
    void aRegenerateIsForwardedWithoutAMessageAndAcceptedLikeASend() throws Exception {
        String userMessage = UUID.randomUUID().toString();
        c.send("{\"type\":\"message.regenerate\",\"message_id\":\"" + userMessage + "\",\"client_message_id\":\"c-r\"}");
        // exactly these fields: no message, no nulls (chat-service refuses unknown fields)
        Awaitility.await().untilAsserted(() -> FakeNeighbours.server.verify(1, postRequestedFor(urlEqualTo("/api/chat"))
                .withHeader("Authorization", equalTo("Bearer " + token))
                .withHeader("Prefer", equalTo("respond-async"))
                .withRequestBody(equalToJson("{\"session_id\":\"" + session + "\",\"client_message_id\":\"c-r\","
                        + "\"regenerate_of\":\"" + userMessage + "\"}"))));
        JsonNode accepted = c.nextOfType("accepted", 5000);
        assertEquals("c-r", accepted.get("client_message_id").asText());
        assertEquals("m", accepted.get("message_id").asText());
        c.close();
    }

    @Test
    void aRefusedRegenerateComesBackAsSendFailed() throws Exception {
        FakeNeighbours.server.stubFor(post(urlEqualTo("/api/chat")).atPriority(1).willReturn(aResponse().withStatus(409)));
        c.send("{\"type\":\"message.regenerate\",\"message_id\":\"u-1\",\"client_message_id\":\"c-r2\"}");
        JsonNode err = c.nextOfType("error", 5000);
        assertEquals("send_failed", err.get("code").asText());
        assertEquals(409, err.get("status").asInt());
        assertEquals("c-r2", err.get("client_message_id").asText());
        c.close();
    }

    @Test
    void aRefusedSendComesBackAsAnErrorFrame() throws Exception {
        FakeNeighbours.server.stubFor(post(urlEqualTo("/api/chat")).atPriority(1).willReturn(aResponse().withStatus(429)
                .withHeader("Retry-After", "3")));
        c.send("{\"type\":\"message.send\",\"content\":\"hi\",\"client_message_id\":\"c-2\"}");
        JsonNode err = c.nextOfType("error", 5000);
        assertEquals("send_failed", err.get("code").asText());
        assertEquals(429, err.get("status").asInt());
        assertEquals("c-2", err.get("client_message_id").asText());
        assertTrue(err.get("retryable").asBoolean());
        c.close();
    }

    @Test
    void cancelIsForwarded() {
        FakeNeighbours.server.stubFor(post(urlEqualTo("/api/chat/msg-7/cancel")).atPriority(1)
                .willReturn(aResponse().withStatus(202)));
        c.send("{\"type\":\"cancel\",\"message_id\":\"msg-7\"}");
        Awaitility.await().untilAsserted(() -> FakeNeighbours.server.verify(1,
                postRequestedFor(urlEqualTo("/api/chat/msg-7/cancel")).withHeader("Authorization",
                        equalTo("Bearer " + token))));
        c.close();
    }

    @Test
    void malformedAndUnknownFramesGetAnErrorAndTheConnectionStaysOpen() throws Exception {
        c.send("not json at all");
        assertEquals("malformed", c.nextOfType("error", 5000).get("code").asText());
        c.send("[1,2,3]");
        assertEquals("malformed", c.nextOfType("error", 5000).get("code").asText());
        c.send("{\"type\":\"message.send\",\"content\":42}");
        assertEquals("malformed", c.nextOfType("error", 5000).get("code").asText());
        c.send("{\"type\":\"cancel\"}");
        assertEquals("malformed", c.nextOfType("error", 5000).get("code").asText());
        c.send("{\"type\":\"message.regenerate\",\"client_message_id\":\"c-x\"}");
        assertEquals("malformed", c.nextOfType("error", 5000).get("code").asText());
        c.send("{\"type\":\"message.send\",\"content\":\"hi\",\"edit_of\":\"no spaces allowed\"}");
        assertEquals("malformed", c.nextOfType("error", 5000).get("code").asText());
        FakeNeighbours.server.verify(0, postRequestedFor(urlEqualTo("/api/chat")));
        c.send("{\"type\":\"teleport\"}");
        JsonNode unknown = c.nextOfType("error", 5000);
        assertEquals("unknown_type", unknown.get("code").asText());
        c.send("{\"type\":\"ping\"}");
        c.nextOfType("pong", 5000); // still open
        assertTrue(!c.closed.isDone());
        c.close();
    }

    @Test
    void oversizeFrameClosesWith1009() {
        c.send("{\"type\":\"message.send\",\"content\":\"" + "x".repeat(maxBytes + 10) + "\"}");
        assertEquals(1009, c.awaitClose(5000));
    }

    @Test
    void tooManyFramesCloseWith1008() {
        for (int i = 0; i <= maxFrames; i++) {
            try {
                c.send("{\"type\":\"ping\"}");
            } catch (Exception e) {
                break; // closed under us
            }
        }
        assertEquals(1008, c.awaitClose(5000));
    }
}
