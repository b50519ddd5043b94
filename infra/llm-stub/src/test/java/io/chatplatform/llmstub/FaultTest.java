package io.chatplatform.llmstub;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@QuarkusTest
class FaultTest {

    @TestHTTPResource("/")
    URL base;

    @AfterEach
    void reset() {
        given().when().post("/admin/reset").then().statusCode(200);
    }

    @Test
    void fault429HasRetryAfterAndOpenAiErrorBody() {
        given().contentType(ContentType.JSON).header("X-Stub-Fault", "429")
                .body(Req.create().user("limit me").json())
                .when().post("/v1/chat/completions")
                .then().statusCode(429).header("Retry-After", "1")
                .body("error.type", equalTo("requests"))
                .body("error.code", equalTo("rate_limit_exceeded"))
                .body("error.message", containsString("Rate limit"));
    }

    @Test
    void fault500And503FromMarkers() {
        given().contentType(ContentType.JSON).body(Req.create().user("boom [[stub:fault=500]]").json())
                .when().post("/v1/chat/completions")
                .then().statusCode(500).body("error.type", equalTo("server_error"));
        given().contentType(ContentType.JSON).body(Req.create().user("busy [[stub:fault=503]]").stream().json())
                .when().post("/v1/chat/completions")
                .then().statusCode(503).header("Retry-After", "1").body("error.type", equalTo("server_error"));
    }

    @Test
    void timesNFailsOnlyTheFirstNRequestsWithTheSameMarkerAndText() {
        String text = "retry me " + UUID.randomUUID() + " [[stub:fault=500,times=2]]";
        for (int i = 0; i < 2; i++) {
            given().contentType(ContentType.JSON).body(Req.create().user(text).json())
                    .when().post("/v1/chat/completions").then().statusCode(500);
        }
        given().contentType(ContentType.JSON).body(Req.create().user(text).json())
                .when().post("/v1/chat/completions").then().statusCode(200)
                .body("choices[0].message.content", containsString("retry me"));
        // Another text carrying the same marker has its own counter.
        given().contentType(ContentType.JSON).body(Req.create().user("other " + text).json())
                .when().post("/v1/chat/completions").then().statusCode(500);
    }

    @Test
    void hangAcceptsAndNeverAnswers() throws Exception {
        StubHttp.Exchange ex = StubHttp.post(base, "/v1/chat/completions",
                Req.create().user("hang [[stub:fault=hang]]").stream().json(), Map.of(), 1500);
        assertTrue(ex.timedOut(), "the client timed out");
        assertEquals(0, ex.bytes(), "not a single byte was sent");

        HttpClient client = HttpClient.newHttpClient();
        HttpRequest req = HttpRequest.newBuilder(URI.create(base + "v1/chat/completions"))
                .timeout(Duration.ofMillis(1000)).header("Content-Type", "application/json")
                .header("X-Stub-Fault", "hang")
                .POST(HttpRequest.BodyPublishers.ofString(Req.create().user("hang too").json())).build();
        assertThrows(HttpTimeoutException.class, () -> client.send(req, HttpResponse.BodyHandlers.ofString()));
        // Disconnected clients release the hung requests.
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                given().when().get("/admin/stats").then().body("in_flight", equalTo(0)));
        given().when().get("/admin/stats").then().body("by_fault.hang", equalTo(2));
    }

    @Test
    void dropClosesTheStreamBeforeDone() throws Exception {
        StubHttp.Exchange ex = StubHttp.post(base, "/v1/chat/completions",
                Req.create().user("drop me please now [[stub:fault=drop]]").stream().json(), Map.of(), 10_000);
        assertEquals(200, ex.status());
        assertTrue(ex.closedByServer(), "the server closed the connection");
        assertFalse(ex.done(), "no [DONE]");
        assertEquals(1 + 3, ex.events().size(), "role chunk and three deltas, then nothing");
        assertFalse(ex.rawBody().contains("\r\n0\r\n\r\n"), "no terminating chunk");
    }

    @Test
    void dropOnANonStreamRequestCutsTheBody() throws Exception {
        StubHttp.Exchange ex = StubHttp.post(base, "/v1/chat/completions",
                Req.create().user("drop whole").json(), Map.of("X-Stub-Fault", "drop"), 10_000);
        assertEquals(200, ex.status());
        assertTrue(ex.closedByServer());
        int declared = Integer.parseInt(ex.head().replaceAll("(?is).*content-length: *(\\d+).*", "$1"));
        assertTrue(ex.rawBody().length() < declared, "body cut short");
    }

    @Test
    void adminQueuedFaultsHitTheNextRequestsAndAreCounted() {
        given().contentType(ContentType.JSON).body("{\"fault\":\"503\",\"times\":2}")
                .when().post("/admin/faults").then().statusCode(202).body("pending", hasSize(2));
        given().contentType(ContentType.JSON).body(Req.create().user("a").json())
                .when().post("/v1/chat/completions").then().statusCode(503);
        given().contentType(ContentType.JSON).body(Req.create().user("b").json())
                .when().post("/v1/chat/completions").then().statusCode(503);
        given().contentType(ContentType.JSON).body(Req.create().user("c").json())
                .when().post("/v1/chat/completions").then().statusCode(200);
        given().when().get("/admin/stats").then().statusCode(200)
                .body("requests", equalTo(3))
                .body("by_fault.503", equalTo(2))
                .body("by_fault.429", equalTo(0))
                .body("pending_faults", hasSize(0));

        given().contentType(ContentType.JSON).body("{\"fault\":\"429\",\"times\":5}")
                .when().post("/admin/faults").then().statusCode(202);
        given().when().post("/admin/reset").then().statusCode(200)
                .body("requests", equalTo(0)).body("pending_faults", hasSize(0));
        given().contentType(ContentType.JSON).body(Req.create().user("d").json())
                .when().post("/v1/chat/completions").then().statusCode(200);
    }
    /** Every fault kind queued through the admin endpoint hits the next streaming request, once. */
    @ParameterizedTest(name = "admin fault {0}")
    @ValueSource(strings = { "429", "500", "503", "hang", "drop" })
    void everyFaultKindCanBeQueuedThroughAdmin(String fault) throws Exception {
        given().contentType(ContentType.JSON).body("{\"fault\":\"" + fault + "\",\"times\":1}")
                .when().post("/admin/faults").then().statusCode(202).body("pending", hasSize(1));
        StubHttp.Exchange ex = StubHttp.post(base, "/v1/chat/completions",
                Req.create().user("queued " + fault + " one two three four five").stream().json(), Map.of(), 1500);
        switch (fault) {
            case "hang" -> {
                assertTrue(ex.timedOut(), "the hung request never answered");
                assertEquals(0, ex.bytes());
            }
            case "drop" -> {
                assertEquals(200, ex.status());
                assertTrue(ex.closedByServer(), "the server closed the stream");
                assertFalse(ex.done(), "no [DONE] after a drop");
            }
            default -> {
                assertEquals(Integer.parseInt(fault), ex.status());
                assertFalse(ex.done());
            }
        }
        // consumed: the next request is served normally
        StubHttp.Exchange next = StubHttp.post(base, "/v1/chat/completions",
                Req.create().user("after " + fault).stream().json(), Map.of(), 10_000);
        assertEquals(200, next.status());
        assertTrue(next.done(), "the request after the queued fault completes");
        given().when().get("/admin/stats").then().body("by_fault.'" + fault + "'", equalTo(1));
    }
}
