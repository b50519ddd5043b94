package io.chatplatform.llmstub;

import com.fasterxml.jackson.databind.JsonNode;
import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.openai.OpenAiStreamingResponseBuilder;
import dev.langchain4j.model.openai.internal.chat.ChatCompletionResponse;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import org.junit.jupiter.api.Test;

import java.net.URL;
import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

@QuarkusTest
class ToolCallTest {

    @TestHTTPResource("/")
    URL base;

    /** The tool set the chat-service offers (names only need to contain the rule's keyword). */
    static Req withTools(Req r) {
        return r.tool("searchHistory", "query").tool("searchKnowledgeBase", "query")
                .tool("rememberFact", "fact").tool("recallFacts").tool("currentTime", "timezone")
                .tool("listSessions");
    }

    private static JsonPath complete(Req r) {
        return given().contentType(ContentType.JSON).body(r.json())
                .when().post("/v1/chat/completions")
                .then().statusCode(200).extract().jsonPath();
    }

    private static void assertCall(String userText, String tool, String arguments) {
        JsonPath p = complete(withTools(Req.create()).user(userText));
        assertEquals("tool_calls", p.getString("choices[0].finish_reason"), userText);
        assertEquals(tool, p.getString("choices[0].message.tool_calls[0].function.name"), userText);
        assertEquals(arguments, p.getString("choices[0].message.tool_calls[0].function.arguments"), userText);
        assertEquals("function", p.getString("choices[0].message.tool_calls[0].type"));
        assertTrue(p.getString("choices[0].message.tool_calls[0].id").startsWith("call_"));
    }

    @Test
    void eachRuleCallsTheMatchingOfferedTool() {
        assertCall("Please search my history for pizza recipes.", "searchHistory", "{\"query\":\"pizza recipes\"}");
        assertCall("search the knowledge base for quarkus native", "searchKnowledgeBase",
                "{\"query\":\"quarkus native\"}");
        assertCall("search the docs for redis streams", "searchKnowledgeBase", "{\"query\":\"redis streams\"}");
        assertCall("Remember that my cat is called Mia", "rememberFact", "{\"fact\":\"my cat is called Mia\"}");
        assertCall("What do you remember about me?", "recallFacts", "{}");
        assertCall("what time is it in Europe/Paris?", "currentTime", "{\"timezone\":\"Europe/Paris\"}");
        assertCall("list my sessions", "listSessions", "{}");
    }

    @Test
    void argumentNameFollowsTheOfferedSchema() {
        JsonPath p = complete(Req.create().tool("remember", "text", "tags").user("remember that tea beats coffee"));
        assertEquals("{\"text\":\"tea beats coffee\"}", p.getString("choices[0].message.tool_calls[0].function.arguments"));
    }

    @Test
    void onlyOfferedToolsAreCalled() {
        JsonPath p = complete(Req.create().tool("currentTime", "timezone").user("search my history for cats"));
        assertEquals("stop", p.getString("choices[0].finish_reason"));
        assertTrue(p.getString("choices[0].message.content").contains("search my history for cats"));
        JsonPath none = complete(Req.create().user("search my history for cats"));
        assertEquals("stop", none.getString("choices[0].finish_reason"));
    }

    @Test
    void toolResultIsQuotedInTheAnswer() {
        Req r = withTools(Req.create()).user("search my history for pizza")
                .assistantToolCall("call_1", "searchHistory", "{\"query\":\"pizza\"}")
                .toolResult("call_1", "[{\"session\":\"s1\",\"snippet\":\"margherita with basil\"}]");
        JsonPath p = complete(r);
        assertEquals("stop", p.getString("choices[0].finish_reason"));
        assertEquals("The searchHistory tool returned: [{\"session\":\"s1\",\"snippet\":\"margherita with basil\"}]",
                p.getString("choices[0].message.content"));
    }

    @Test
    void streamedToolCallUsesOpenAiDeltaFormatAndRoundTrips() throws Exception {
        StubHttp.Exchange ex = StubHttp.post(base, "/v1/chat/completions",
                withTools(Req.create()).user("search my history for the blue whale").stream().json(), Map.of(), 10_000);
        List<StubHttp.Event> events = ex.events();
        assertTrue(ex.done());
        JsonNode firstCall = events.get(0).json().path("choices").get(0).path("delta").path("tool_calls").get(0);
        assertEquals(0, firstCall.path("index").asInt());
        assertEquals("searchHistory", firstCall.path("function").path("name").asText());
        assertTrue(firstCall.path("id").asText().startsWith("call_"));
        StringBuilder args = new StringBuilder();
        for (StubHttp.Event e : events.subList(1, events.size() - 3)) {
            JsonNode call = e.json().path("choices").get(0).path("delta").path("tool_calls").get(0);
            assertEquals(0, call.path("index").asInt());
            assertFalse(call.has("id"), "only the first delta carries the id");
            args.append(call.path("function").path("arguments").asText());
        }
        assertEquals("{\"query\":\"the blue whale\"}", args.toString());
        assertEquals("tool_calls", events.get(events.size() - 3).json().path("choices").get(0)
                .path("finish_reason").asText());

        // The OpenAI client's own assembler reads the same tool call out of the chunks.
        OpenAiStreamingResponseBuilder builder = new OpenAiStreamingResponseBuilder();
        for (StubHttp.Event e : events.subList(0, events.size() - 1)) {
            builder.append(CompletionTest.CLIENT.readValue(e.data(), ChatCompletionResponse.class));
        }
        ChatResponse response = builder.build();
        ToolExecutionRequest call = response.aiMessage().toolExecutionRequests().get(0);
        assertEquals("searchHistory", call.name());
        assertEquals("{\"query\":\"the blue whale\"}", call.arguments());
        assertEquals(firstCall.path("id").asText(), call.id());

        // Second round: send the tool result back, streaming; the answer quotes it.
        Req round2 = withTools(Req.create()).user("search my history for the blue whale")
                .assistantToolCall(call.id(), call.name(), call.arguments())
                .toolResult(call.id(), "found 2 messages about whales").stream();
        StubHttp.Exchange ex2 = StubHttp.post(base, "/v1/chat/completions", round2.json(), Map.of(), 10_000);
        StringBuilder text = new StringBuilder();
        for (StubHttp.Event e : ex2.events().subList(1, ex2.events().size() - 3)) {
            text.append(e.json().path("choices").get(0).path("delta").path("content").asText());
        }
        assertEquals("The searchHistory tool returned: found 2 messages about whales", text.toString());
    }

    @Test
    void toolLoopMarkerKeepsCallingTheFirstTool() {
        Req r = withTools(Req.create()).user("loop forever [[stub:tool-loop]]");
        JsonPath first = complete(r);
        assertEquals("searchHistory", first.getString("choices[0].message.tool_calls[0].function.name"));
        String id = first.getString("choices[0].message.tool_calls[0].id");
        Req next = r;
        for (int round = 1; round <= 3; round++) {
            next = next.assistantToolCall(id, "searchHistory", "{\"query\":\"loop forever\"}")
                    .toolResult(id, "result " + round);
            JsonPath p = complete(next);
            assertEquals("tool_calls", p.getString("choices[0].finish_reason"), "round " + round);
            assertEquals("searchHistory", p.getString("choices[0].message.tool_calls[0].function.name"));
            assertEquals("{\"query\":\"loop forever\"}", p.getString("choices[0].message.tool_calls[0].function.arguments"));
            id = p.getString("choices[0].message.tool_calls[0].id");
        }
    }

    @Test
    void toolCallUsageIsReported() {
        given().contentType(ContentType.JSON).body(withTools(Req.create()).user("list my sessions").json())
                .when().post("/v1/chat/completions")
                .then().statusCode(200)
                .body("choices[0].message.tool_calls[0].id", startsWith("call_stub_"))
                .body("usage.completion_tokens", equalTo(2))
                .body("usage.prompt_tokens", equalTo(4));
    }
}
