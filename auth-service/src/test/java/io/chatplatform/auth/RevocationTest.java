package io.chatplatform.auth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.mailer.MockMailbox;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.util.Base64;

import static io.chatplatform.auth.TestSupport.*;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * DESIGN "Identity": access tokens carry {@code sid}; logout and device sign-out revoke the family's access tokens,
 * account deletion every token of the user, at once (auth-service checks its own tokens the way the others do).
 */
@QuarkusTest
class RevocationTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** The keys of DESIGN.md and the index of README "Contract notes", spelled out so a rename fails here. */
    private static final String INDEX = "auth:revoked:index";

    @Inject
    MockMailbox mailbox;

    @Inject
    RedisDataSource redis;

    @Test
    void logoutRevokesTheAccessTokenOfItsFamilyOnly() {
        String email = email();
        Signed s = login(mailbox, email);
        Signed otherDevice = login(mailbox, email);
        String sid = claims(s.accessToken()).path("sid").asText();
        assertTrue(sid.length() > 0, "the access token names its refresh family");
        given().auth().oauth2(s.accessToken()).get("/api/auth/me").then().statusCode(200);

        given().cookie(REFRESH, s.refreshToken()).post("/api/auth/logout").then().statusCode(204);

        given().auth().oauth2(s.accessToken()).get("/api/auth/me").then().statusCode(401);
        given().auth().oauth2(otherDevice.accessToken()).get("/api/auth/me").then().statusCode(200);
        long ttl = redis.key(String.class).pttl("auth:revoked:family:{" + sid + "}");
        assertTrue(ttl > 15 * 60_000 && ttl <= 16 * 60_000, "lives as long as the token could: " + ttl);
    }

    @Test
    void signingOutADeviceRevokesThatDevicesAccessToken() {
        String email = email();
        Signed mine = login(mailbox, email);
        Signed theirs = login(mailbox, email);
        String theirFamily = claims(theirs.accessToken()).path("sid").asText();
        given().auth().oauth2(theirs.accessToken()).get("/api/auth/me").then().statusCode(200);

        given().auth().oauth2(mine.accessToken()).delete("/api/auth/sessions/" + theirFamily).then().statusCode(204);

        given().auth().oauth2(theirs.accessToken()).get("/api/auth/me").then().statusCode(401);
        given().auth().oauth2(mine.accessToken()).get("/api/auth/me").then().statusCode(200);
    }

    @Test
    void deletingTheAccountRevokesEveryTokenOfTheUser() {
        String email = email();
        Signed s = login(mailbox, email);
        Signed otherDevice = login(mailbox, email);

        given().auth().oauth2(s.accessToken()).delete("/api/auth/me").then().statusCode(202);

        given().auth().oauth2(s.accessToken()).get("/api/auth/me").then().statusCode(401);
        given().auth().oauth2(otherDevice.accessToken()).get("/api/auth/me").then().statusCode(401);
        String at = redis.value(String.class).get("auth:revoked:user:{" + s.userId() + "}");
        assertTrue(at != null && Long.parseLong(at) >= claims(s.accessToken()).path("iat").asLong(),
                "tokens issued up to the deletion are dead: " + at);
        assertEquals(1, redis.sortedSet(String.class).zrangeWithScores(INDEX, 0, -1).stream()
                .filter(e -> e.value().equals("user:" + s.userId() + ":" + at)).count(), "indexed for the readers");
    }

    static JsonNode claims(String jwt) {
        try {
            return JSON.readTree(Base64.getUrlDecoder().decode(jwt.split("\\.")[1]));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
