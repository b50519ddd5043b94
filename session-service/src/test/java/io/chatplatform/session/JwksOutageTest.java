package io.chatplatform.session;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import io.smallrye.jwt.build.Jwt;
import org.awaitility.Awaitility;
import org.jose4j.jwk.RsaJwkGenerator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Token checks against a JWKS fetched over HTTP (as from auth-service in production), never on a request's
 * thread: the first request after start, a key-rotation kid miss and an auth-service outage past the refresh
 * interval all answer at once, and a forged token is still refused with the held key.
 */
@QuarkusTest
@TestProfile(JwksOutageTest.RemoteJwks.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class JwksOutageTest {

    /**
     * A hang detector, not a timing test (generous: the first request of a fresh JVM on a loaded machine is slow);
     * a fetch on the request's thread would show as a blocked event loop in verification, each fetch taking
     * {@link JwksSource#DELAY_MS}.
     */
    static final long BOUND_MS = 15_000;

    public static class RemoteJwks implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("platform.jwt.jwks-refresh-interval", "PT2S", "platform.jwt.jwks-retry-interval", "PT1S",
                    "platform.jwt.jwks-fetch-timeout", "PT30S");
        }

        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(JwksSource.class));
        }
    }

    static BlockedEventLoops blocked;

    @BeforeAll
    static void watchEventLoops() {
        blocked = BlockedEventLoops.watch();
    }

    @AfterAll
    static void stopWatching() {
        blocked.close();
    }

    @Test
    @Order(1)
    void firstAuthenticatedRequestAfterStartDoesNotStallTheEventLoop() {
        // the platform routes traffic once the service is ready: that is when the first keys are held
        Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> given().get("/q/health/ready").statusCode() == 200);
        Response first = timed(() -> Tokens.as(UUID.randomUUID()).get("/api/sessions"));
        assertEquals(200, first.statusCode(), first.asString());
        noBlockedEventLoop();
    }

    @Test
    @Order(2)
    void unknownKidIsRefusedWithoutWaitingForAFetch() {
        String rotated = Jwt.issuer("chat-platform").audience("chat-platform").subject(UUID.randomUUID().toString())
                .upn("r@example.test").groups("user").claim("jti", UUID.randomUUID().toString()).expiresIn(900)
                .jws().keyId("a-key-not-published-yet").header("typ", "at+jwt").sign();
        for (int i = 0; i < 5; i++) {
            Response r = timed(() -> given().auth().oauth2(rotated).get("/api/sessions"));
            assertEquals(401, r.statusCode());
        }
        noBlockedEventLoop();
    }

    @Test
    @Order(3)
    void validTokensStayAcceptedThroughAJwksOutage() {
        int fetched = JwksSource.FETCHES.get();
        JwksSource.outage();
        // past the refresh interval: the service has tried and failed to fetch again, and says so
        Awaitility.await().atMost(Duration.ofSeconds(60)).until(() ->
                given().get("/q/health/ready").asString().contains("last_fetch_error"));
        given().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"));
        assertTrue(fetched >= 1);
        // a token never seen before (not in the verified-token cache) verifies with the kept key
        Response r = timed(() -> Tokens.as(UUID.randomUUID()).get("/api/sessions"));
        assertEquals(200, r.statusCode(), r.asString());
        noBlockedEventLoop();
    }

    @Test
    @Order(4)
    void forgedTokenIsRefusedWithTheKeptKey() throws Exception {
        var attacker = RsaJwkGenerator.generateJwk(2048);
        String forged = Jwt.issuer("chat-platform").audience("chat-platform").subject(UUID.randomUUID().toString())
                .upn("f@example.test").groups("user").claim("jti", UUID.randomUUID().toString()).expiresIn(900)
                .jws().keyId("test-key").header("typ", "at+jwt").sign(attacker.getPrivateKey());
        given().auth().oauth2(forged).get("/api/sessions").then().statusCode(401)
                .contentType("application/problem+json");
        // and a genuine token whose payload was changed
        String[] parts = Tokens.accessToken(UUID.randomUUID()).split("\\.");
        String[] other = Tokens.accessToken(UUID.randomUUID()).split("\\.");
        given().auth().oauth2(parts[0] + "." + other[1] + "." + parts[2]).get("/api/sessions").then().statusCode(401);
    }

    private static Response timed(Supplier<Response> call) {
        long start = System.nanoTime();
        Response r = call.get();
        long ms = (System.nanoTime() - start) / 1_000_000;
        assertTrue(ms < BOUND_MS, "answered after " + ms + " ms");
        return r;
    }

    private static void noBlockedEventLoop() {
        assertTrue(blocked.found.isEmpty(), String.join("\n", blocked.found));
    }
}
