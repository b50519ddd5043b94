package io.chatplatform.chat;

import io.chatplatform.common.token.TokenRevoker;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * DESIGN "Identity": a revoked token runs no turn, and an account deletion leaves nothing of the account in Redis,
 * not even what a turn running at that moment writes afterwards. Revocations and the deletion event are written as
 * auth-service writes them.
 */
@QuarkusTest
class RevocationTest extends ChatTestSupport {

    @Inject
    TokenRevoker revoker;

    @Test
    void aSignedOutDevicesTokenRunsNoTurn() {
        String alice = newUser();
        String family = UUID.randomUUID().toString();
        String token = token(alice, 900, family);
        chatWith(token, "hello").then().statusCode(200);

        revoker.revokeFamily(family);

        refusedSoon(token);
        chatWith(token(alice, 900), "from her other device").then().statusCode(200);
    }

    @Test
    void aDeletedAccountRunsNoTurnAndATurnInFlightLeavesNothingBehind() {
        String alice = newUser();
        String token = token(alice, 900);
        String session = chatWith(token, "remember that I drink green tea").then().statusCode(200)
                .extract().path("session_id");
        // the model takes its time, then calls remember_fact: after the deletion below has run
        Response inFlight = RestAssured.given().header("Authorization", "Bearer " + token)
                .header("Prefer", "respond-async").contentType(ContentType.JSON)
                .body(Map.of("session_id", session, "message", "remember that my cat is Tom [[stub:first-token-delay=1500]]"))
                .post("/api/chat");
        inFlight.then().statusCode(202);
        assertTrue(redis.key(String.class).exists("chat:stream:{" + session + "}"));

        revoker.revokeUser(alice, Instant.now());
        userDeleted(alice);

        refusedSoon(token);
        // nothing of hers, for longer than the turn in flight could take to write its fact, quota and events
        Awaitility.await().atMost(Duration.ofSeconds(20)).during(Duration.ofSeconds(3)).pollInterval(Duration.ofMillis(100))
                .untilAsserted(() -> {
                    assertEquals(Set.of(), chatKeysNaming(alice), "no key of hers (facts, quota, turns, index)");
                    assertFalse(redis.key(String.class).exists("chat:stream:{" + session + "}"), "her session's events");
                });
    }

    /** chat-service's keys only: auth-service's revocation key names her too, and must outlive the deletion. */
    private Set<String> chatKeysNaming(String userId) {
        return keysNaming(userId).stream().filter(k -> !k.startsWith("auth:revoked:")).collect(Collectors.toSet());
    }

    private static Response chatWith(String token, String message) {
        return RestAssured.given().header("Authorization", "Bearer " + token).contentType(ContentType.JSON)
                .body(Map.of("message", message)).post("/api/chat");
    }

    /** The revocation travels over Redis pub/sub: milliseconds, not the token's remaining 15 minutes. */
    private static void refusedSoon(String token) {
        Awaitility.await().atMost(Duration.ofSeconds(2)).pollInterval(Duration.ofMillis(20))
                .untilAsserted(() -> chatWith(token, "after the revocation").then().statusCode(401));
    }
}
