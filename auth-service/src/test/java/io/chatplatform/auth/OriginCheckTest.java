package io.chatplatform.auth;

import io.quarkus.mailer.MockMailbox;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static io.chatplatform.auth.TestSupport.*;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.*;
import static org.junit.jupiter.api.Assertions.*;

/** The cookie routes refuse a cross-site page: Origin must be the web UI's (the test profile's public URL). */
@QuarkusTest
class OriginCheckTest {

    static final String SAME = "https://chat.example.test";
    static final String EVIL = "http://evil.example";

    @Inject
    MockMailbox mailbox;

    @Test
    void refreshAndLogoutFromAnotherOriginAre403AndChangeNothing() {
        Signed s = login(mailbox, email());
        for (String origin : new String[] {EVIL, "null", "https://chat.example.test.evil.example"}) {
            // a form or text/plain fetch from another site: the browser adds the cookie (were SameSite absent)
            given().header("Origin", origin).contentType("text/plain").body("x").cookie(REFRESH, s.refreshToken())
                    .post("/api/auth/logout").then().statusCode(403).contentType("application/problem+json")
                    .body("status", is(403)).header("Set-Cookie", nullValue());
            given().header("Origin", origin).cookie(REFRESH, s.refreshToken()).post("/api/auth/refresh")
                    .then().statusCode(403).contentType("application/problem+json");
        }
        // the family is untouched: the same cookie, from the UI's origin, refreshes once and logs out
        Response refreshed = given().header("Origin", SAME).cookie(REFRESH, s.refreshToken()).post("/api/auth/refresh");
        refreshed.then().statusCode(200);
        given().header("Origin", SAME).cookie(REFRESH, refreshed.getCookie(REFRESH)).post("/api/auth/logout")
                .then().statusCode(204);
        given().cookie(REFRESH, refreshed.getCookie(REFRESH)).post("/api/auth/refresh").then().statusCode(401);
    }

    @Test
    void loginRoutesFromAnotherOriginAre403AndConsumeNothing() {
        String email = email();
        String ip = ip();
        from(ip).header("Origin", EVIL).body(Map.of("email", email)).post("/api/auth/magic-link")
                .then().statusCode(403).contentType("application/problem+json");
        assertTrue(mailbox.getMailsSentTo(email) == null || mailbox.getMailsSentTo(email).isEmpty(), "no mail");
        Mailed m = requestLink(mailbox, email, ip);
        from(ip).header("Origin", EVIL).cookie(NONCE, m.nonce()).body(Map.of("token", m.token()))
                .post("/api/auth/verify").then().statusCode(403);
        from(ip).header("Origin", SAME).cookie(NONCE, m.nonce()).body(Map.of("token", m.token()))
                .post("/api/auth/verify").then().statusCode(200).body("user.email", is(email));
    }
}
