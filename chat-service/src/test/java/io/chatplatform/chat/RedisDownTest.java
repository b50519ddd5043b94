package io.chatplatform.chat;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Redis unavailable: turns are refused with 503 + Retry-After before anything is stored; readiness is down. */
@QuarkusTest
@TestProfile(RedisDownProfile.class)
class RedisDownTest extends ChatTestSupport {

    @Test
    void turnIsRefusedWith503AndNothingIsStored() {
        String user = newUser();
        chat(user, Map.of("message", "is redis there?")).then().statusCode(503)
                .contentType("application/problem+json").header("Retry-After", notNullValue());
        assertEquals(0, FakeSessionService.sessionsOf(user));
        RestAssured.get("/q/health/ready").then().statusCode(503);
    }
}
