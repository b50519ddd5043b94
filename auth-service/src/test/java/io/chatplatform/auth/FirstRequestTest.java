package io.chatplatform.auth;

import io.quarkus.mailer.MockMailbox;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The first authenticated request of a fresh auth-service, configured as a verifying service that would fetch
 * the JWKS from auth-service itself: it is answered at once from the keys the service holds, with no blocked
 * event loop (fetching its own JWKS on the event loop once froze it for 20 s).
 */
@QuarkusTest
@TestProfile(FirstRequestTest.FreshApp.class)
class FirstRequestTest {

    /** A hang detector, not a timing test (generous: the first request of a fresh JVM on a loaded machine is slow). */
    static final long BOUND_MS = 15_000;

    public static class FreshApp implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            // what JWKS_URL says in the other services; auth-service must never fetch it
            return Map.of("mp.jwt.verify.publickey.location", "http://localhost:${quarkus.http.test-port}/api/auth/jwks");
        }
    }

    @Inject
    MockMailbox mailbox;

    @Test
    void firstAuthenticatedRequestIsAnsweredWithoutAStalledEventLoop() {
        try (BlockedEventLoops blocked = BlockedEventLoops.watch()) {
            TestSupport.Signed user = TestSupport.login(mailbox, TestSupport.email());
            long start = System.nanoTime();
            given().auth().oauth2(user.accessToken()).get("/api/auth/me").then().statusCode(200).body("id", is(user.userId()));
            long ms = (System.nanoTime() - start) / 1_000_000;
            assertTrue(ms < BOUND_MS, "answered after " + ms + " ms");
            assertTrue(blocked.found.isEmpty(), String.join("\n", blocked.found));
            // the keys held are the two published ones (current and previous)
            given().get("/q/health/ready").then().statusCode(200)
                    .body("checks.find { it.name == 'Token verification keys' }.data.keys", is(2));
        }
    }
}
