package io.chatplatform.auth;

import io.quarkus.mailer.MockMailbox;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static io.chatplatform.auth.TestSupport.*;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * Who the per-IP limits count, with bounds of 3 so they are quick to reach: X-Forwarded-For only from the ingress
 * (127.0.0.2), and a browser holding the nonce of its own pending sign-in past its neighbours' exhausted bound.
 */
@QuarkusTest
@TestProfile(SignInLimitsTest.SmallBounds.class)
class SignInLimitsTest {

    static final int BOUND = 3;

    public static class SmallBounds implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("auth.limits.magic-link-per-ip", Integer.toString(BOUND),
                    "auth.limits.verify-per-ip", Integer.toString(BOUND));
        }
    }

    @Inject
    MockMailbox mailbox;

    /** A local process that is not the ingress (it connects from 127.0.0.1) cannot choose the IP it is counted under. */
    @Test
    void rotatingForwardedForFromAPeerOtherThanTheIngressDoesNotEscapeThePerIpBound() {
        int last = 0;
        for (int i = 0; i <= BOUND; i++) {
            last = given().header("X-Forwarded-For", ip()).contentType(ContentType.JSON)
                    .body(Map.of("email", email())).post("/api/auth/magic-link").statusCode();
        }
        assertEquals(429, last, "every request counted under 127.0.0.1, whatever its X-Forwarded-For");
    }

    @Test
    void aBrowserHoldingItsNonceSignsInAfterItsNeighboursUsedUpTheIpBound() {
        String ip = ip();
        String email = email();
        Mailed first = requestLink(mailbox, email, ip);
        for (int i = 1; i < BOUND; i++) {
            requestLink(mailbox, email(), ip);
        }
        from(ip).body(Map.of("email", email())).post("/api/auth/magic-link").then().statusCode(429);
        // a made-up nonce is no escape
        from(ip).cookie(NONCE, randomToken()).body(Map.of("email", email())).post("/api/auth/magic-link")
                .then().statusCode(429);

        Response again = from(ip).cookie(NONCE, first.nonce()).body(Map.of("email", email)).post("/api/auth/magic-link");
        assertEquals(202, again.statusCode(), again.asString());
        assertEquals(first.nonce(), cookieOf(again, NONCE), "the same browser keeps its nonce");
        for (int i = 0; i < BOUND; i++) {
            verifyToken(randomToken(), null, ip).then().statusCode(401);
        }
        verifyToken(randomToken(), null, ip).then().statusCode(429);
        Mailed second = lastMail(mailbox, email, first.nonce());
        Response in = from(ip).cookie(NONCE, first.nonce()).body(Map.of("code", second.code())).post("/api/auth/verify");
        assertEquals(200, in.statusCode(), in.asString());
        assertNotNull(cookieOf(in, REFRESH));
        in.then().body("user.email", is(email));
    }
}
