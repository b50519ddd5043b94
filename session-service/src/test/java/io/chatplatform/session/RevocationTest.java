package io.chatplatform.session;

import io.chatplatform.common.token.TokenRevoker;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.specification.RequestSpecification;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;

import static io.chatplatform.session.Api.turn;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;

/**
 * DESIGN "Identity": a revoked token is refused at once, also when it was verified (and cached) before. The
 * revocations are written the way auth-service writes them at logout, device sign-out and account deletion.
 */
@QuarkusTest
class RevocationTest {

    @Inject
    TokenRevoker revoker;

    @Test
    void aSignedOutDevicesTokenGets401AndTheUsersOtherDevicesKeepWorking() {
        UUID user = UUID.randomUUID();
        String family = UUID.randomUUID().toString();
        String token = Tokens.accessToken(user, family);
        String otherDevice = Tokens.accessToken(user, UUID.randomUUID().toString());
        bearer(token).get("/api/sessions").then().statusCode(200);

        revoker.revokeFamily(family);

        refusedSoon(token);
        bearer(token).body(Map.of()).post("/api/sessions").then().statusCode(401);
        bearer(otherDevice).get("/api/sessions").then().statusCode(200);
    }

    @Test
    void aDeletedUsersTokenCanWriteNothingMore() {
        UUID user = UUID.randomUUID();
        String token = Tokens.accessToken(user, UUID.randomUUID().toString());
        String session = bearer(token).body(Map.of()).post("/api/sessions").then().statusCode(201).extract().path("id");

        revoker.revokeUser(user.toString(), Instant.now());

        refusedSoon(token);
        bearer(token).body(Map.of()).post("/api/sessions").then().statusCode(401);
        bearer(token).body(Map.of("role", "user", "content", "after the deletion"))
                .post("/api/sessions/" + session + "/messages").then().statusCode(401);
        bearer(token).body(turn(UUID.randomUUID().toString(), "after the deletion", UUID.randomUUID().toString(), 1000))
                .post("/api/sessions/" + session + "/turns").then().statusCode(401);
        // another user is untouched
        bearer(Tokens.accessToken(UUID.randomUUID())).get("/api/sessions").then().statusCode(200);
    }

    /** The revocation travels over Redis pub/sub: milliseconds, not the token's remaining 15 minutes. */
    private static void refusedSoon(String token) {
        await().atMost(Duration.ofSeconds(2)).pollInterval(Duration.ofMillis(20))
                .untilAsserted(() -> bearer(token).get("/api/sessions").then().statusCode(401));
    }

    private static RequestSpecification bearer(String token) {
        return given().auth().oauth2(token).contentType("application/json");
    }
}
