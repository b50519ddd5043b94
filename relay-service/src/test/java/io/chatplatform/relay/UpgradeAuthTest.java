package io.chatplatform.relay;

import io.chatplatform.relay.socket.RelayCloseCodes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.time.Instant;
import java.util.UUID;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;

/** Every way of failing authentication is answered with an HTTP status: the connection never upgrades. */
@QuarkusTest
@QuarkusTestResource(FakeNeighbours.class)
class UpgradeAuthTest {

    @ConfigProperty(name = "quarkus.http.test-port")
    int port;

    String user;
    String session;
    String token;

    @BeforeEach
    void setUp() {
        FakeNeighbours.boot();
        user = UUID.randomUUID().toString();
        session = UUID.randomUUID().toString();
        token = TestTokens.token(user);
        FakeNeighbours.own(session, token);
    }

    private URI uri() {
        return WsClient.uri(port, session, null);
    }

    @Test
    void ownerWithValidTokenAndOriginIsUpgradedAndGetsReady() throws Exception {
        WsClient c = WsClient.connect(port, session, token, null);
        JsonNode ready = c.nextOfType("ready", 5000);
        assertEquals(session, ready.get("session_id").asText());
        assertEquals("quarkus", c.ws.getSubprotocol());
        c.close();
    }

    @Test
    void aSecondUpgradeWithinTheCacheTtlDoesNotAskSessionServiceAgain() throws Exception {
        for (int i = 0; i < 2; i++) {
            WsClient c = WsClient.connect(port, session, token, null);
            c.nextOfType("ready", 5000);
            c.close();
        }
        assertEquals(1, FakeNeighbours.server.countRequestsMatching(com.github.tomakehurst.wiremock.client.WireMock
                .getRequestedFor(com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo("/api/sessions/" + session))
                .build()).getCount(), "one ownership check for two upgrades");

        // refusals are not cached: someone else asking twice is checked twice
        String other = TestTokens.token(UUID.randomUUID().toString());
        String otherSession = UUID.randomUUID().toString();
        for (int i = 0; i < 2; i++) {
            assertEquals(404, WsClient.refusedStatus(WsClient.uri(port, otherSession, null), other, "http://localhost:8080"));
        }
        assertEquals(2, FakeNeighbours.server.countRequestsMatching(com.github.tomakehurst.wiremock.client.WireMock
                .getRequestedFor(com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo("/api/sessions/" + otherSession))
                .build()).getCount(), "a 404 is asked again");
    }

    @Test
    void missingTokenIsRefusedWith401() {
        assertEquals(401, WsClient.refusedStatus(uri(), null, "http://localhost:8080"));
    }

    @Test
    void expiredTokenIsRefusedWith401() {
        String expired = TestTokens.token(user, Instant.now().minusSeconds(600));
        FakeNeighbours.own(session, expired);
        assertEquals(401, WsClient.refusedStatus(uri(), expired, "http://localhost:8080"));
    }

    @Test
    void forgedTokenIsRefusedWith401() {
        String forged = TestTokens.forged(user);
        FakeNeighbours.own(session, forged);
        assertEquals(401, WsClient.refusedStatus(uri(), forged, "http://localhost:8080"));
    }

    @Test
    void signedTokenThatIsNotAnAccessTokenIsRefusedWith401() {
        String idToken = TestTokens.ofType(user, "JWT");
        FakeNeighbours.own(session, idToken);
        assertEquals(401, WsClient.refusedStatus(uri(), idToken, "http://localhost:8080"));
    }

    @Test
    void wrongOrMissingOriginIsRefusedWith403() {
        assertEquals(403, WsClient.refusedStatus(uri(), token, "http://evil.example"));
        assertEquals(403, WsClient.refusedStatus(uri(), token, null));
    }

    @Test
    void someoneElsesSessionIsRefusedWith404() {
        String other = TestTokens.token(UUID.randomUUID().toString());
        assertEquals(404, WsClient.refusedStatus(uri(), other, "http://localhost:8080"));
    }

    @Test
    void sessionServiceDownIsRefusedWith503() {
        FakeNeighbours.server.stubFor(com.github.tomakehurst.wiremock.client.WireMock
                .get(com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo("/api/sessions/" + session))
                .atPriority(0).willReturn(com.github.tomakehurst.wiremock.client.WireMock.aResponse().withStatus(500)));
        String fresh = TestTokens.token(UUID.randomUUID().toString());
        assertEquals(503, WsClient.refusedStatus(uri(), fresh, "http://localhost:8080"));
    }

    @Test
    void rejectionsAreCountedByReason() {
        assertRefusalCounted("origin", 403, () -> WsClient.refusedStatus(uri(), token, "http://evil.example"));
        assertRefusalCounted("bad_request", 400, () -> WsClient.refusedStatus(
                WsClient.uri(port, "x".repeat(65), null), token, "http://localhost:8080"));
        String metrics = RestAssured.get("/q/metrics").then().statusCode(200).extract().asString();
        assertTrue(metrics.contains("relay_connections "), "gauge exported");
    }

    @Test
    void tokenlessExpiredAndForgedUpgradesAreCountedAsUnauthenticated() {
        assertRefusalCounted("unauthenticated", 401, () -> WsClient.refusedStatus(uri(), null, "http://localhost:8080"));
        String expired = TestTokens.token(user, Instant.now().minusSeconds(600));
        assertRefusalCounted("unauthenticated", 401, () -> WsClient.refusedStatus(uri(), expired, "http://localhost:8080"));
        String forged = TestTokens.forged(user);
        assertRefusalCounted("unauthenticated", 401, () -> WsClient.refusedStatus(uri(), forged, "http://localhost:8080"));
    }

    @Test
    void originIsCheckedBeforeTheTokenAndCounted() {
        assertRefusalCounted("origin", 403, () -> WsClient.refusedStatus(uri(), null, "http://evil.example"));
        assertRefusalCounted("origin", 403, () -> WsClient.refusedStatus(uri(), null, null));
    }

    @Test
    void someoneElsesSessionIsCountedAsNotFound() {
        String other = TestTokens.token(UUID.randomUUID().toString());
        assertRefusalCounted("not_found", 404, () -> WsClient.refusedStatus(uri(), other, "http://localhost:8080"));
    }

    /** The refusal has the status and raises relay_upgrades_rejected_total{reason} by exactly one. */
    static void assertRefusalCounted(String reason, int status, java.util.function.IntSupplier refusal) {
        double before = rejected(reason);
        assertEquals(status, refusal.getAsInt());
        assertEquals(before + 1, rejected(reason), "relay_upgrades_rejected_total{reason=\"" + reason + "\"}");
    }

    static double rejected(String reason) {
        String metrics = RestAssured.get("/q/metrics").then().statusCode(200).extract().asString();
        java.util.regex.Matcher m = java.util.regex.Pattern
                .compile("(?m)^relay_upgrades_rejected_total\\{reason=\"" + reason + "\"} ([0-9.eE+-]+)$").matcher(metrics);
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }

    @Test
    void tokenExpiringOnAnOpenConnectionClosesWith4001() throws Exception {
        String shortLived = TestTokens.token(user, Instant.now().plusSeconds(3));
        FakeNeighbours.own(session, shortLived);
        WsClient c = WsClient.connect(port, session, shortLived, null);
        c.nextOfType("ready", 5000);
        assertEquals(RelayCloseCodes.TOKEN_EXPIRED, c.awaitClose(8000));
    }

    @Test
    void tokenAlreadyExpiredWithinTheClockSkewIsClosedAtOnceWith4001() throws Exception {
        String stale = TestTokens.token(user, Instant.now().minusSeconds(20)); // accepted: 60 s skew
        FakeNeighbours.own(session, stale);
        WsClient c = WsClient.connect(port, session, stale, null);
        assertEquals(RelayCloseCodes.TOKEN_EXPIRED, c.awaitClose(5000));
    }

    @Test
    void uiIsServedWithNoReferrerAndStrictCsp() {
        RestAssured.get("/").then().statusCode(200)
                .header("Referrer-Policy", "no-referrer")
                .header("Content-Security-Policy", org.hamcrest.Matchers.containsString("script-src 'self'"));
    }
}
