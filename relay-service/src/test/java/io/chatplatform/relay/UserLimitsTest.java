package io.chatplatform.relay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import org.awaitility.Awaitility;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

/** One account cannot exhaust the relay: a cap on its open sockets, and typing throttled per session and user. */
@QuarkusTest
@QuarkusTestResource(FakeNeighbours.class)
class UserLimitsTest {

    static final String ORIGIN = "http://localhost:8080";

    @ConfigProperty(name = "quarkus.http.test-port")
    int port;
    @ConfigProperty(name = "relay.max-connections-per-user")
    int cap;
    @ConfigProperty(name = "relay.typing-interval")
    java.time.Duration typingInterval;

    final List<WsClient> open = new ArrayList<>();
    String session;
    String token;

    @BeforeEach
    void setUp() {
        FakeNeighbours.boot();
        session = UUID.randomUUID().toString();
        token = TestTokens.token(UUID.randomUUID().toString());
        FakeNeighbours.own(session, token);
    }

    @AfterEach
    void closeAll() {
        open.forEach(WsClient::close);
    }

    WsClient ready(String sessionId, String bearer) throws InterruptedException {
        WsClient c = WsClient.connect(port, sessionId, bearer, null);
        open.add(c);
        c.nextOfType("ready", 10_000);
        return c;
    }

    @Test
    void aUserBeyondTheConnectionCapGets429WithRetryAfterWhileOthersConnect() throws Exception {
        for (int i = 0; i < cap; i++) {
            ready(session, token);
        }
        WsClient.HandshakeFailed refused = assertThrows(WsClient.HandshakeFailed.class,
                () -> WsClient.connect(WsClient.uri(port, session, null), token, ORIGIN, true));
        assertEquals(429, refused.status);
        assertEquals("10", refused.headers.firstValue("Retry-After").orElse(null));

        String otherSession = UUID.randomUUID().toString();
        String otherToken = TestTokens.token(UUID.randomUUID().toString());
        FakeNeighbours.own(otherSession, otherToken);
        ready(otherSession, otherToken); // another account is not affected

        open.remove(0).close(); // a closed tab frees its place
        Awaitility.await().atMost(java.time.Duration.ofSeconds(10))
                .until(() -> WsClient.refusedStatus(WsClient.uri(port, session, null), token, ORIGIN) == 101);
    }

    @Test
    void typingBurstsReachEveryTabAsTheFirstAndTheLatestStateOnly() throws Exception {
        WsClient typist = ready(session, token);
        WsClient reader = ready(session, token);
        for (int i = 0; i < 10; i++) {
            typist.send("{\"type\":\"typing\",\"state\":\"active\"}");
        }
        typist.send("{\"type\":\"typing\",\"state\":\"idle\"}");
        List<JsonNode> seen = reader.collect("typing", 11, typingInterval.toMillis() * 2 + 2_000);
        assertEquals(List.of("active", "idle"), seen.stream().map(f -> f.get("state").asText()).toList());
    }

    @Test
    void everyTabTypingAtOnceIsOnePublishNotOnePerTab() throws Exception {
        List<WsClient> tabs = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            tabs.add(ready(session, token));
        }
        for (WsClient tab : tabs) {
            tab.send("{\"type\":\"typing\",\"state\":\"active\"}");
        }
        for (WsClient tab : tabs) {
            assertEquals(1, tab.collect("typing", 3, typingInterval.toMillis() + 2_000).size(),
                    "one typing frame per tab, not one per tab that typed");
        }
    }
}
