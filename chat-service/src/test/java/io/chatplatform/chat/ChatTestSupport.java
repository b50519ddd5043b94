package io.chatplatform.chat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.common.QuarkusTestResource;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import io.smallrye.jwt.build.Jwt;
import jakarta.inject.Inject;
import org.awaitility.Awaitility;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** Shared helpers: signed test tokens, chat calls, events read back from the Redis stream, stub admin. */
@QuarkusTestResource(LlmStubResource.class)
@QuarkusTestResource(FakeSessionService.class)
public abstract class ChatTestSupport {

    static final ObjectMapper JSON = new ObjectMapper();

    @Inject
    RedisDataSource redis;

    static String token(String userId) {
        return Jwt.issuer("chat-platform").audience("chat-platform").subject(userId).upn(userId + "@example.test")
                .groups("user").claim("jti", UUID.randomUUID().toString())
                .expiresIn(900).jws().keyId("test-key").header("typ", "at+jwt").sign();
    }

    static String newUser() {
        return UUID.randomUUID().toString();
    }

    static RequestSpecification as(String userId) {
        return RestAssured.given().header("Authorization", "Bearer " + token(userId)).contentType(ContentType.JSON);
    }

    static Response chat(String userId, Map<String, Object> body) {
        return as(userId).body(body).post("/api/chat");
    }

    /** Events of a session in stream order, each the envelope JSON stored in the entry's {@code data} field. */
    List<JsonNode> events(String sessionId) {
        var entries = redis.stream(String.class).xrange("chat:stream:{" + sessionId + "}",
                io.quarkus.redis.datasource.stream.StreamRange.of("-", "+"));
        List<JsonNode> out = new ArrayList<>();
        for (var e : entries) {
            try {
                JsonNode n = JSON.readTree(e.payload().get("data"));
                if (!e.id().equals(n.path("id").asText()) || !e.payload().get("type").equals(n.path("type").asText())) {
                    throw new AssertionError("entry id/type differ from the envelope: " + e.id() + " " + n);
                }
                out.add(n);
            } catch (java.io.IOException ex) {
                throw new AssertionError(ex);
            }
        }
        return out;
    }

    List<JsonNode> eventsOfType(String sessionId, String type) {
        return events(sessionId).stream().filter(n -> type.equals(n.path("type").asText())).toList();
    }

    JsonNode awaitEvent(String sessionId, String type) {
        Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
                .until(() -> !eventsOfType(sessionId, type).isEmpty());
        return eventsOfType(sessionId, type).get(0);
    }

    static String deltas(List<JsonNode> events, String messageId) {
        StringBuilder sb = new StringBuilder();
        events.stream().filter(n -> "message.delta".equals(n.path("type").asText()) && messageId.equals(n.path("message_id").asText()))
                .forEach(n -> sb.append(n.path("delta").asText()));
        return sb.toString();
    }

    static JsonNode stubStats() {
        try {
            return JSON.readTree(RestAssured.given().baseUri(LlmStubResource.baseUrl()).get("/admin/stats").asString());
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    static JsonNode storedAssistant(String sessionId, String messageId) {
        return FakeSessionService.messages(sessionId).stream()
                .filter(m -> "assistant".equals(m.path("role").asText()) && messageId.equals(m.path("client_message_id").asText()))
                .findFirst().orElseThrow(() -> new AssertionError("no stored assistant message " + messageId));
    }
}
