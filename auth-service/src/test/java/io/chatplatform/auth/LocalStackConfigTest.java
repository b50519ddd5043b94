package io.chatplatform.auth;

import io.quarkus.mailer.MockMailbox;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import static io.chatplatform.auth.TestSupport.*;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.contains;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Settings as the local stack and Kubernetes pass them: the console sign-in link
 * (auth.mail.log-links=true), cookies without Secure for plain http (AUTH_COOKIE_SECURE=false)
 * and a previous public key given as PEM text rather than a path.
 */
@QuarkusTest
@TestProfile(LocalStackConfigTest.LocalStack.class)
class LocalStackConfigTest {

    public static class LocalStack implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("auth.mail.log-links", "true", "auth.cookie.secure", "false",
                    "auth.previous-public-key", resource("test-keys/test-only-previous-key.pub.pem"));
        }
    }

    @Inject
    MockMailbox mailbox;

    @Test
    void linkAndCodeAreOnTheConsole() {
        try (LogCapture log = LogCapture.start()) {
            Mailed m = requestLink(mailbox, email(), ip());
            assertTrue(log.lines.stream().anyMatch(l -> l.contains("INFO") && l.contains(m.link()) && l.contains(m.code())),
                    String.join("\n", log.lines));
        }
    }

    @Test
    void cookiesHaveNoSecureFlagWhenConfiguredOff() {
        for (String cookie : cookiesOfASignIn(mailbox)) {
            assertFalse(isSecure(cookie), cookie);
            // everything else stays as strict as with https
            assertTrue(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict") && cookie.contains("Path=/api/auth"),
                    cookie);
        }
    }

    @Test
    void previousKeyGivenAsPemTextIsPublished() {
        given().get("/api/auth/jwks").then().statusCode(200)
                .body("keys.kid", contains(JwtVerificationTest.CURRENT_KID, JwtVerificationTest.PREVIOUS_KID));
    }

    static String resource(String name) {
        try (InputStream in = LocalStackConfigTest.class.getClassLoader().getResourceAsStream(name)) {
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
