package io.chatplatform.llmstub;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.URL;
import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@QuarkusTest
class DelayAndAdminTest {

    @TestHTTPResource("/")
    URL base;

    @AfterEach
    void reset() {
        given().when().post("/admin/reset").then().statusCode(200);
    }

    @Test
    void firstTokenDelayFromHeaderIsObservedBeforeTheFirstChunk() throws Exception {
        StubHttp.Exchange ex = StubHttp.post(base, "/v1/chat/completions", Req.create().user("slow start").stream()
                .json(), Map.of("X-Stub-First-Token-Delay-Ms", "600"), 10_000);
        assertTrue(ex.done());
        long first = ex.events().get(0).atMs();
        assertTrue(first >= 550, "first chunk after " + first + " ms");
    }

    @Test
    void firstTokenDelayMarkerOverridesHeader() throws Exception {
        StubHttp.Exchange ex = StubHttp.post(base, "/v1/chat/completions",
                Req.create().user("slow [[stub:first-token-delay=700]]").stream().json(),
                Map.of("X-Stub-First-Token-Delay-Ms", "0"), 10_000);
        assertTrue(ex.events().get(0).atMs() >= 650, "first chunk after " + ex.events().get(0).atMs() + " ms");
    }

    @Test
    void tokenDelaySpacesTheDeltas() throws Exception {
        StubHttp.Exchange ex = StubHttp.post(base, "/v1/chat/completions",
                Req.create().user("tick [[stub:token-delay=150]] [[stub:tokens=5]]").stream().json(), Map.of(), 10_000);
        List<StubHttp.Event> events = ex.events();
        assertEquals(5 + 4, events.size(), "role chunk, 5 deltas, finish, usage, [DONE]");
        long spread = events.get(5).atMs() - events.get(1).atMs();
        assertTrue(spread >= 4 * 150 - 50, "4 token delays took " + spread + " ms");
    }

    @Test
    void nonStreamWaitsForTheSimulatedGeneration() {
        long start = System.nanoTime();
        given().contentType(ContentType.JSON).header("X-Stub-First-Token-Delay-Ms", 300)
                .header("X-Stub-Token-Delay-Ms", 100).header("X-Stub-Answer-Tokens", 4)
                .body(Req.create().user("wait").json())
                .when().post("/v1/chat/completions").then().statusCode(200).body("usage.completion_tokens", equalTo(4));
        long took = (System.nanoTime() - start) / 1_000_000;
        assertTrue(took >= 300 + 3 * 100 - 50, "took " + took + " ms");
    }

    @Test
    void theRequestLogCountsTheRequestsOfAMarkerWithTheirMaxTokens() {
        String marker = "marker" + System.nanoTime();
        given().contentType(ContentType.JSON)
                .body("{\"messages\":[{\"role\":\"user\",\"content\":\"hi " + marker + "\"}],\"max_tokens\":123}")
                .when().post("/v1/chat/completions").then().statusCode(200);
        given().contentType(ContentType.JSON).body(Req.create().user("again " + marker).json())
                .when().post("/v1/chat/completions").then().statusCode(200);
        given().contentType(ContentType.JSON).body(Req.create().user("someone else").json())
                .when().post("/v1/chat/completions").then().statusCode(200);
        given().queryParam("contains", marker).when().get("/admin/requests").then().statusCode(200)
                .body("count", equalTo(2)).body("max_tokens[0]", equalTo(123)).body("max_tokens[1]", nullValue())
                // what each request gave the model, message by message
                .body("inputs[0]", equalTo(java.util.List.of("user: hi " + marker)))
                .body("inputs[1]", equalTo(java.util.List.of("user: again " + marker)));
    }

    @Test
    void theRequestLogKeepsEveryMessageOfARequestCutToItsLimit() {
        String marker = "inputs" + System.nanoTime();
        String longAnswer = "y".repeat(500);
        given().contentType(ContentType.JSON)
                .body("{\"messages\":[{\"role\":\"system\",\"content\":\"be brief\"},{\"role\":\"user\",\"content\":\"old\"},"
                        + "{\"role\":\"assistant\",\"content\":\"" + longAnswer + "\"},{\"role\":\"user\",\"content\":\"new " + marker + "\"}]}")
                .when().post("/v1/chat/completions").then().statusCode(200);
        given().queryParam("contains", marker).when().get("/admin/requests").then().statusCode(200)
                .body("count", equalTo(1))
                .body("inputs[0]", equalTo(java.util.List.of("system: be brief", "user: old",
                        ("assistant: " + longAnswer).substring(0, 200), "user: new " + marker)));
    }

    @Test
    void adminConfigAppliesUntilDeletedAndHeadersOverrideIt() throws Exception {
        given().contentType(ContentType.JSON)
                .body("{\"first_token_delay_ms\":400,\"token_delay_ms\":0,\"answer_tokens\":7}")
                .when().put("/admin/config")
                .then().statusCode(200)
                .body("first_token_delay_ms", equalTo(400)).body("answer_tokens", equalTo(7));
        given().when().get("/admin/config").then().statusCode(200).body("answer_tokens", equalTo(7));

        StubHttp.Exchange ex = StubHttp.post(base, "/v1/chat/completions", Req.create().user("admin").stream()
                .json(), Map.of(), 10_000);
        assertTrue(ex.events().get(0).atMs() >= 350, "admin first-token delay: " + ex.events().get(0).atMs());
        assertEquals(7, ex.events().get(ex.events().size() - 2).json().path("usage").path("completion_tokens").asInt());

        given().contentType(ContentType.JSON).header("X-Stub-Answer-Tokens", 3).header("X-Stub-First-Token-Delay-Ms", 0)
                .body(Req.create().user("admin").json())
                .when().post("/v1/chat/completions").then().statusCode(200).body("usage.completion_tokens", equalTo(3));

        given().when().delete("/admin/config").then().statusCode(200)
                .body("answer_tokens", nullValue()).body("first_token_delay_ms", equalTo(0));
        given().contentType(ContentType.JSON).body(Req.create().user("admin").json())
                .when().post("/v1/chat/completions").then().statusCode(200)
                .body("choices[0].message.content", equalTo(AnswerPlanner.INTRO
                        + " You said: \"admin\". I received 1 message."));
    }

    @Test
    void adminRejectsBadInput() {
        given().contentType(ContentType.JSON).body("{\"answer_tokens\":-1}")
                .when().put("/admin/config").then().statusCode(400)
                .body("error.type", equalTo("invalid_request_error"));
        given().contentType(ContentType.JSON).body("{\"fault\":\"418\",\"times\":1}")
                .when().post("/admin/faults").then().statusCode(400);
        given().contentType(ContentType.JSON).body("{\"fault\":\"500\",\"times\":0}")
                .when().post("/admin/faults").then().statusCode(400);
        given().contentType(ContentType.JSON).body("{\"bogus\":1}")
                .when().put("/admin/config").then().statusCode(400)
                .body("error.type", equalTo("invalid_request_error"));
        given().contentType(ContentType.JSON).body("not json")
                .when().post("/admin/faults").then().statusCode(400)
                .body("error.type", equalTo("invalid_request_error"));
    }
    @Test
    void adminTokenDelaySpacesTheDeltas() throws Exception {
        given().contentType(ContentType.JSON).body("{\"token_delay_ms\":120,\"answer_tokens\":4}")
                .when().put("/admin/config").then().statusCode(200).body("token_delay_ms", equalTo(120));
        StubHttp.Exchange ex = StubHttp.post(base, "/v1/chat/completions", Req.create().user("paced").stream()
                .json(), Map.of(), 10_000);
        List<StubHttp.Event> events = ex.events();
        assertEquals(4 + 4, events.size(), "role chunk, 4 deltas, finish, usage, [DONE]");
        long spread = events.get(4).atMs() - events.get(1).atMs();
        assertTrue(spread >= 3 * 120 - 50, "3 admin token delays took " + spread + " ms");
    }
}
