package io.chatplatform.chat;

import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusIntegrationTest;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;

/**
 * The packaged service (the jar here, the native executable under -Pnative) on its serving paths: a chat turn
 * through the real OpenAI client against the stand-in model, the session stored at the (fake) session-service,
 * the events appended to the session's Redis stream; problems for bad input. Under -Paot these requests are also
 * the training run of the AOT cache.
 */
@QuarkusIntegrationTest
@QuarkusTestResource(LlmStubResource.class)
@QuarkusTestResource(FakeSessionService.class)
// restricted: an unrestricted resource would configure every @QuarkusTest of the module too
@QuarkusTestResource(value = ChatItConfig.class, restrictToAnnotatedClass = true)
class ChatIT {

    static RequestSpecification as(String user) {
        return RestAssured.given().header("Authorization", "Bearer " + ChatItConfig.token(user)).contentType(ContentType.JSON);
    }

    @Test
    void aTurnIsAnsweredStoredAndStreamedToRedis() {
        String user = UUID.randomUUID().toString();
        Response first = as(user).body(Map.of("message", "Hello there [[stub:tokens=20]]")).post("/api/chat");
        first.then().statusCode(200).body("session_id", notNullValue()).body("model", equalTo("stub-model"))
                .body("response", containsString("You said"));
        String sid = first.path("session_id");
        assertEquals(2, FakeSessionService.messages(sid).size(), "user message and answer stored");
        List<String> types = streamTypes(sid);
        assertEquals("message.created", types.get(0));
        assertEquals("message.completed", types.get(types.size() - 1), "events: " + types);
        assertTrue(types.contains("message.delta"), "events: " + types);

        as(user).body(Map.of("session_id", sid, "message", "And a follow-up")).post("/api/chat")
                .then().statusCode(200).body("response", containsString("I received 4 messages"));
    }

    @Test
    void badInputAndMissingTokensGetProblems() {
        as(UUID.randomUUID().toString()).body("{\"message\": ").post("/api/chat").then().statusCode(400)
                .contentType("application/problem+json");
        RestAssured.given().contentType(ContentType.JSON).body(Map.of("message", "hi")).post("/api/chat")
                .then().statusCode(401);
    }

    @Test
    void healthAndMetrics() {
        RestAssured.given().port(ChatItConfig.MANAGEMENT_PORT).get("/q/health/ready").then().statusCode(200).body(containsString("UP"));
        RestAssured.given().port(ChatItConfig.MANAGEMENT_PORT).get("/q/metrics").then().statusCode(200).body(containsString("http_server_requests"));
    }

    /** The event types of a session's stream, in order, as relay-service reads them. */
    private static List<String> streamTypes(String sessionId) {
        Vertx vertx = Vertx.vertx();
        try {
            Redis redis = Redis.createClient(vertx, "redis://127.0.0.1:6379");
            var reply = redis.send(Request.cmd(Command.XRANGE).arg("chat:stream:{" + sessionId + "}").arg("-").arg("+"))
                    .toCompletionStage().toCompletableFuture().join();
            // each entry: [id, [field, value, ...]] with the field "type"
            return reply.stream().map(entry -> {
                var fields = entry.get(1);
                for (int i = 0; i + 1 < fields.size(); i += 2) {
                    if ("type".equals(fields.get(i).toString())) {
                        return fields.get(i + 1).toString();
                    }
                }
                return "?";
            }).toList();
        } finally {
            vertx.close();
        }
    }
}
