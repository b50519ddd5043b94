package io.chatplatform.chat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.redis.datasource.keys.KeyScanArgs;
import io.quarkus.test.common.QuarkusTestResource;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import io.smallrye.jwt.build.Jwt;
import jakarta.inject.Inject;
import org.awaitility.Awaitility;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/** Shared helpers: signed test tokens, chat calls, events read back from the Redis stream, stub admin. */
@QuarkusTestResource(LlmStubResource.class)
@QuarkusTestResource(FakeSessionService.class)
public abstract class ChatTestSupport {

    static final ObjectMapper JSON = new ObjectMapper();

    @Inject
    RedisDataSource redis;

    static String token(String userId) {
        return token(userId, 900);
    }

    static String token(String userId, long expiresInSeconds) {
        return token(userId, expiresInSeconds, UUID.randomUUID().toString());
    }

    /** {@code sid}: the refresh family (one login on one device) the token came from. */
    static String token(String userId, long expiresInSeconds, String sid) {
        return Jwt.issuer("chat-platform").audience("chat-platform").subject(userId).upn(userId + "@example.test")
                .groups("user").claim("jti", UUID.randomUUID().toString()).claim("sid", sid)
                .expiresIn(expiresInSeconds).jws().keyId("test-key").header("typ", "at+jwt").sign();
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

    /**
     * Events of a session in stream order as the relay reads them: the envelope JSON of the entry's {@code data} field
     * with the entry id as {@code id} (the entry id is authoritative).
     */
    List<JsonNode> events(String sessionId) {
        var entries = redis.stream(String.class).xrange("chat:stream:{" + sessionId + "}",
                io.quarkus.redis.datasource.stream.StreamRange.of("-", "+"));
        List<JsonNode> out = new ArrayList<>();
        for (var e : entries) {
            try {
                com.fasterxml.jackson.databind.node.ObjectNode n =
                        (com.fasterxml.jackson.databind.node.ObjectNode) JSON.readTree(e.payload().get("data"));
                if (!e.payload().get("type").equals(n.path("type").asText())) {
                    throw new AssertionError("entry type differs from the envelope: " + e.id() + " " + n);
                }
                n.put("id", e.id());
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
                .filter(m -> "assistant".equals(m.path("role").asText()) && messageId.equals(m.path("id").asText()))
                .findFirst().orElseThrow(() -> new AssertionError("no stored assistant message " + messageId));
    }

    /** The stand-in's log of the requests whose last user message contains {@code marker}: {count, max_tokens[], inputs[][]}. */
    static JsonNode stubRequests(String marker) {
        try {
            return JSON.readTree(RestAssured.given().baseUri(LlmStubResource.baseUrl()).queryParam("contains", marker)
                    .get("/admin/requests").asString());
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    /** A Prometheus sample on /q/metrics: the sum of the series of {@code name} having every label given (0 if none). */
    static double metric(String name, String... labels) {
        double sum = 0;
        for (String line : RestAssured.get("/q/metrics").asString().split("\n")) {
            if (!(line.startsWith(name + "{") || line.startsWith(name + " "))) {
                continue;
            }
            boolean all = true;
            for (String l : labels) {
                all &= line.contains(l);
            }
            if (all) {
                sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return sum;
    }

    /** What auth-service appends to {@code platform:user-events} once an account is deleted. */
    void userDeleted(String userId) {
        redis.stream(String.class).xadd("platform:user-events",
                Map.of("type", "user.deleted", "user_id", userId, "ts", Instant.now().toString()));
    }

    /** Every key whose name contains the user id (a test may scan; the service does not). */
    Set<String> keysNaming(String userId) {
        Set<String> out = new HashSet<>();
        var cursor = redis.key(String.class).scan(new KeyScanArgs().match("*" + userId + "*").count(1000));
        while (cursor.hasNext()) {
            out.addAll(cursor.next());
        }
        return out;
    }

    /** A unique word for one test's messages, so the stand-in's log can tell its requests from anyone else's. */
    static String marker() {
        return "m" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    }
}
