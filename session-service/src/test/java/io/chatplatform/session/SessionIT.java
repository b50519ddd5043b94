package io.chatplatform.session;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusIntegrationTest;
import io.restassured.specification.RequestSpecification;
import io.smallrye.jwt.build.Jwt;
import io.smallrye.jwt.util.KeyUtils;

/**
 * The packaged service (the jar here, the native executable under -Pnative) on its serving paths: Flyway-migrated
 * PostgreSQL through Hibernate, JWT checks, full-text search, problems for bad input. Under -Paot these requests
 * are also the training run of the AOT cache.
 */
@QuarkusIntegrationTest
// restricted: an unrestricted resource would configure every @QuarkusTest of the module too
@QuarkusTestResource(value = SessionItConfig.class, restrictToAnnotatedClass = true)
class SessionIT {

    /** An access token as auth-service issues it, signed here with the test key (no test-profile config here). */
    static RequestSpecification as(UUID user) {
        try {
            String token = Jwt.issuer("chat-platform").audience("chat-platform").subject(user.toString())
                    .upn(user + "@example.test").groups("user").claim("jti", UUID.randomUUID().toString())
                    .expiresIn(900).jws().keyId("test-key").header("typ", "at+jwt")
                    .sign(KeyUtils.readPrivateKey("privateKey.pem"));
            return given().auth().oauth2(token).contentType("application/json");
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void aConversationIsStoredListedSearchedRenamedAndDeleted() {
        UUID me = UUID.randomUUID();
        String id = as(me).body(Map.of("title", "Trip planning")).post("/api/sessions")
                .then().statusCode(201).body("title", equalTo("Trip planning")).extract().path("id");
        String word = "lisbon" + Long.toString(System.nanoTime(), 36);
        org.junit.jupiter.api.Assertions.assertEquals(2, Api.exchange(me, id, "Trains to " + word + "?", "Several a day."));

        as(me).get("/api/sessions").then().statusCode(200).body("items.id", hasItem(id));
        as(me).get("/api/sessions/" + id + "/messages").then().statusCode(200)
                .body("items.content", hasItem("Several a day."));
        as(me).queryParam("q", word).get("/api/search").then().statusCode(200)
                .body("items.session_id", hasItem(id));
        as(me).body(Map.of("title", "Trip to Lisbon")).patch("/api/sessions/" + id).then().statusCode(200)
                .body("title", equalTo("Trip to Lisbon"));

        as(UUID.randomUUID()).get("/api/sessions/" + id).then().statusCode(404)
                .contentType("application/problem+json");
        as(me).delete("/api/sessions/" + id).then().statusCode(204);
        as(me).get("/api/sessions/" + id).then().statusCode(404);
    }

    @Test
    void aTurnIsBegunAndItsAnswerStoredWithTheGrant() {
        UUID me = UUID.randomUUID();
        String id = as(me).body(Map.of()).post("/api/sessions").then().statusCode(201).extract().path("id");
        String answerId = UUID.randomUUID().toString();
        String grant = as(me).body(Map.of("client_message_id", "c-1", "content", "Hello?", "answer_id", answerId,
                "context_budget_tokens", 4000)).post("/api/sessions/" + id + "/turns")
                .then().statusCode(201).body("user_message.seq", equalTo(1)).extract().path("write_grant");
        given().header("Authorization", "Grant " + grant).contentType("application/json")
                .body(Map.of("content", "Hi there.", "finish_reason", "stop"))
                .put("/api/sessions/" + id + "/answers/" + answerId).then().statusCode(200)
                .body("seq", equalTo(2)).body("role", equalTo("assistant"));
        as(me).get("/api/sessions/" + id + "/messages").then().statusCode(200)
                .body("items.content", hasItem("Hi there."));
    }

    @Test
    void badInputAndMissingTokensGetProblems() {
        as(UUID.randomUUID()).body("{\"title\": ").post("/api/sessions").then().statusCode(400)
                .contentType("application/problem+json");
        given().get("/api/sessions").then().statusCode(401);
    }

    @Test
    void healthAndMetrics() {
        given().port(SessionItConfig.MANAGEMENT_PORT).get("/q/health/ready").then().statusCode(200).body(containsString("UP"));
        given().port(SessionItConfig.MANAGEMENT_PORT).get("/q/metrics").then().statusCode(200).body(containsString("http_server_requests"));
    }
}
