package io.chatplatform.llmstub;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.openai.OpenAiStreamingResponseBuilder;
import dev.langchain4j.model.openai.internal.chat.ChatCompletionResponse;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import org.junit.jupiter.api.Test;

import java.net.URL;
import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

@QuarkusTest
class CompletionTest {

    /** Parses like the chat-service's OpenAI client does, even with fail-on-unknown-properties switched on there. */
    static final ObjectMapper CLIENT = new ObjectMapper()
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true);

    @TestHTTPResource("/")
    URL base;

    @Test
    void nonStreamAnswerEchoesTheUserAndCountsUsage() {
        String body = Req.create().system("You are helpful.").user("Hello there,   stand-in!").json();
        given().contentType(ContentType.JSON).body(body)
                .when().post("/v1/chat/completions")
                .then().statusCode(200)
                .body("object", equalTo("chat.completion"))
                .body("id", startsWith("chatcmpl-"))
                .body("model", equalTo("stub-model"))
                .body("choices[0].message.role", equalTo("assistant"))
                .body("choices[0].message.content", equalTo(AnswerPlanner.INTRO
                        + " You said: \"Hello there, stand-in!\". I received 2 messages."))
                .body("choices[0].finish_reason", equalTo("stop"))
                // role token + words: system 1+3, user 1+3
                .body("usage.prompt_tokens", equalTo(8))
                .body("usage.completion_tokens", equalTo(20))
                .body("usage.total_tokens", equalTo(28));
    }

    @Test
    void lineBreaksOfTheEchoSurviveSoACodeBlockStaysOne() {
        String content = given().contentType(ContentType.JSON)
                .body(Req.create().user("Code:\n```python\ndef f():\n    return 42\n```\nthanks").json())
                .when().post("/v1/chat/completions")
                .then().statusCode(200).extract().path("choices[0].message.content");
        assertTrue(content.contains("Code:\n```python\ndef f():\n    return 42\n```\nthanks"), content);
    }

    @Test
    void longUserTextIsTruncatedAndMarkersAreStripped() {
        String longText = "word ".repeat(100) + "[[stub:tokens=500]]";
        String content = given().contentType(ContentType.JSON).body(Req.create().user(longText).json())
                .when().post("/v1/chat/completions")
                .then().statusCode(200).extract().path("choices[0].message.content");
        assertFalse(content.contains("[[stub"), content);
        assertTrue(content.contains("word word"), content);
        assertTrue(content.contains("...\""), "echo is truncated: " + content);
    }

    @Test
    void streamSendsRoleDeltasFinishUsageAndDoneConcatenatingToTheNonStreamAnswer() throws Exception {
        Req req = Req.create().user("Stream me please");
        String whole = given().contentType(ContentType.JSON).body(req.json())
                .when().post("/v1/chat/completions")
                .then().statusCode(200).extract().path("choices[0].message.content");

        StubHttp.Exchange ex = StubHttp.post(base, "/v1/chat/completions", Req.create().user("Stream me please")
                .stream().json(), Map.of(), 10_000);
        assertEquals(200, ex.status());
        assertTrue(ex.head().toLowerCase().contains("content-type: text/event-stream"), ex.head());
        List<StubHttp.Event> events = ex.events();
        assertEquals("[DONE]", events.get(events.size() - 1).data());

        JsonNode first = events.get(0).json();
        assertEquals("chat.completion.chunk", first.path("object").asText());
        assertEquals("assistant", first.path("choices").get(0).path("delta").path("role").asText());

        StringBuilder text = new StringBuilder();
        int contentDeltas = 0;
        for (int i = 1; i < events.size() - 3; i++) {
            JsonNode delta = events.get(i).json().path("choices").get(0).path("delta");
            String piece = delta.path("content").asText();
            assertEquals(i == 1 ? piece.strip() : " " + piece.strip(), piece, "one word per delta with its space");
            text.append(piece);
            contentDeltas++;
        }
        assertEquals(whole, text.toString());

        JsonNode finish = events.get(events.size() - 3).json();
        assertEquals("stop", finish.path("choices").get(0).path("finish_reason").asText());
        JsonNode usage = events.get(events.size() - 2).json();
        assertEquals(0, usage.path("choices").size());
        assertEquals(contentDeltas, usage.path("usage").path("completion_tokens").asInt());
        assertEquals(4, usage.path("usage").path("prompt_tokens").asInt()); // role + 3 words
        assertEquals(contentDeltas + 4, usage.path("usage").path("total_tokens").asInt());
    }

    @Test
    void streamWithoutIncludeUsageStillEndsWithAUsageChunk() throws Exception {
        StubHttp.Exchange ex = StubHttp.post(base, "/v1/chat/completions",
                Req.create().user("no options").streamWithoutUsageOption().json(), Map.of(), 10_000);
        List<StubHttp.Event> events = ex.events();
        assertTrue(ex.done());
        JsonNode usage = events.get(events.size() - 2).json();
        assertTrue(usage.path("usage").path("completion_tokens").asInt() > 0, usage.toString());
    }

    @Test
    void streamWithIncludeUsageFalseCarriesUsageInTheFinishChunk() throws Exception {
        String body = Req.create().user("hi").streamWithoutUsageOption().json()
                .replace("\"stream\":true", "\"stream\":true,\"stream_options\":{\"include_usage\":false}");
        List<StubHttp.Event> events = StubHttp.post(base, "/v1/chat/completions", body, Map.of(), 10_000).events();
        JsonNode last = events.get(events.size() - 2).json();
        assertEquals("stop", last.path("choices").get(0).path("finish_reason").asText());
        assertTrue(last.path("usage").path("total_tokens").asInt() > 0, last.toString());
    }

    @Test
    void outputParsesWithTheOpenAiClientClassesStreamingAndNot() throws Exception {
        String json = given().contentType(ContentType.JSON).body(Req.create().user("compat check").json())
                .when().post("/v1/chat/completions").then().statusCode(200).extract().asString();
        ChatCompletionResponse parsed = CLIENT.readValue(json, ChatCompletionResponse.class);
        assertTrue(parsed.content().contains("compat check"));
        assertEquals(parsed.usage().promptTokens() + parsed.usage().completionTokens(), parsed.usage().totalTokens());
        assertEquals("stop", parsed.choices().get(0).finishReason());

        StubHttp.Exchange ex = StubHttp.post(base, "/v1/chat/completions",
                Req.create().user("compat check").stream().json(), Map.of(), 10_000);
        OpenAiStreamingResponseBuilder builder = new OpenAiStreamingResponseBuilder();
        for (StubHttp.Event e : ex.events()) {
            if (!e.data().equals("[DONE]")) {
                builder.append(CLIENT.readValue(e.data(), ChatCompletionResponse.class));
            }
        }
        ChatResponse response = builder.build();
        assertEquals(parsed.content(), response.aiMessage().text());
        assertEquals(parsed.usage().totalTokens(), response.tokenUsage().totalTokenCount());
        assertFalse(response.aiMessage().hasToolExecutionRequests());
    }

    @Test
    void answerLengthControlPadsAndTruncatesDeterministically() {
        for (int n : new int[]{3, 57}) {
            String content = given().contentType(ContentType.JSON).header("X-Stub-Answer-Tokens", n)
                    .body(Req.create().user("length please").json())
                    .when().post("/v1/chat/completions")
                    .then().statusCode(200).body("usage.completion_tokens", equalTo(n))
                    .extract().path("choices[0].message.content");
            assertEquals(n, content.split(" ").length, content);
        }
        String viaMarker = given().contentType(ContentType.JSON)
                .body(Req.create().user("pad [[stub:tokens=40]]").json())
                .when().post("/v1/chat/completions")
                .then().statusCode(200).body("usage.completion_tokens", equalTo(40))
                .extract().path("choices[0].message.content");
        String again = given().contentType(ContentType.JSON)
                .body(Req.create().user("pad [[stub:tokens=40]]").json())
                .when().post("/v1/chat/completions").then().extract().path("choices[0].message.content");
        assertEquals(viaMarker, again);
        assertTrue(viaMarker.contains("alpha bravo"), viaMarker);
    }

    @Test
    void modelsListsStubModelAndConfiguredOnes() {
        given().when().get("/v1/models")
                .then().statusCode(200)
                .body("object", equalTo("list"))
                .body("data.id", hasItems("stub-model", "test-extra-model"))
                .body("data[0].object", equalTo("model"));
    }

    @Test
    void requestModelIsEchoed() {
        given().contentType(ContentType.JSON)
                .body(Req.create().user("x").json().replace("\"stub-model\"", "\"gpt-4o-mini\""))
                .when().post("/v1/chat/completions")
                .then().statusCode(200).body("model", equalTo("gpt-4o-mini"));
    }

    @Test
    void malformedJsonAndMissingMessagesAreOpenAiStyle400s() {
        given().contentType(ContentType.JSON).body("{\"messages\": [")
                .when().post("/v1/chat/completions")
                .then().statusCode(400).contentType(ContentType.JSON)
                .body("error.type", equalTo("invalid_request_error"))
                .body("error.message", containsString("JSON"));
        given().contentType(ContentType.JSON).body("{\"model\":\"stub-model\"}")
                .when().post("/v1/chat/completions")
                .then().statusCode(400)
                .body("error.type", equalTo("invalid_request_error"))
                .body("error.param", equalTo("messages"));
        given().contentType(ContentType.JSON).body("{\"messages\":[{\"content\":\"no role\"}]}")
                .when().post("/v1/chat/completions")
                .then().statusCode(400).body("error.param", equalTo("messages[0].role"));
        given().contentType(ContentType.JSON).header("X-Stub-Fault", "teapot")
                .body(Req.create().user("x").json())
                .when().post("/v1/chat/completions")
                .then().statusCode(400).body("error.message", containsString("teapot"));
    }
}
