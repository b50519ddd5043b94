package io.chatplatform.auth;

import io.quarkus.mailer.MockMailbox;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.redis.datasource.stream.StreamMessage;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import static io.chatplatform.auth.TestSupport.*;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.*;
import static org.junit.jupiter.api.Assertions.*;

@QuarkusTest
class AccountTest {

    @Inject
    MockMailbox mailbox;

    @Inject
    RedisDataSource redis;

    @Inject
    EntityManager em;

    @Test
    void meAnswersTheTokensUser() {
        Signed s = login(mailbox, email());
        given().auth().oauth2(s.accessToken()).get("/api/auth/me").then().statusCode(200)
                .body("id", is(s.userId())).body("email", is(s.email())).body("created_at", notNullValue())
                .body("$", not(hasKey("last_login_at")));
    }

    @Test
    void deletingTheAccountRemovesUserAndTokensAndAnnouncesIt() {
        String email = email();
        Signed s = login(mailbox, email);
        Signed other = login(mailbox, email);
        Mailed pending = requestLink(mailbox, email, ip());
        String before = lastUserEventId(redis);

        var r = given().auth().oauth2(s.accessToken()).delete("/api/auth/me");
        r.then().statusCode(202);
        assertTrue(setCookie(r, REFRESH).contains("Max-Age=0"), "the refresh cookie is cleared");

        // the event for session-service and chat-service, on the stream when the 202 arrives: the attempt
        // right after the commit sent it (the scheduled drain is hours away in this profile)
        StreamMessage<String, String, String> event = userEventAfter(redis, before, s.userId()).orElseThrow();
        assertEquals(Map.of("type", "user.deleted", "user_id", s.userId(), "ts", event.payload().get("ts")),
                event.payload(), "exactly the fields the consumers read");
        Instant ts = Instant.parse(event.payload().get("ts"));
        assertTrue(Duration.between(ts, Instant.now()).abs().toSeconds() < 60);
        assertEquals(0, pendingUserEvents(em, s.userId()), "sent, so no longer in the outbox");

        // the account, its access tokens (revoked: RevocationTest) and all its refresh families are gone; a pending
        // link for it too
        given().auth().oauth2(s.accessToken()).get("/api/auth/me").then().statusCode(401);
        given().cookie(REFRESH, s.refreshToken()).post("/api/auth/refresh").then().statusCode(401);
        given().cookie(REFRESH, other.refreshToken()).post("/api/auth/refresh").then().statusCode(401);
        verifyToken(pending.token(), pending.nonce(), ip()).then().statusCode(401);

        // signing in again later makes a brand-new account
        Signed again = login(mailbox, email);
        assertNotEquals(s.userId(), again.userId());
    }
}
