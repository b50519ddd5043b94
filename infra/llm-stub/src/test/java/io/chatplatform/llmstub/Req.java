package io.chatplatform.llmstub;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** Builds OpenAI chat-completion request bodies the way an OpenAI client sends them. */
final class Req {

    private final ObjectNode root = StubHttp.MAPPER.createObjectNode();
    private final ArrayNode messages = root.putArray("messages");

    private Req() {
        root.put("model", "stub-model");
    }

    static Req create() {
        return new Req();
    }

    Req system(String text) {
        messages.addObject().put("role", "system").put("content", text);
        return this;
    }

    Req user(String text) {
        messages.addObject().put("role", "user").put("content", text);
        return this;
    }

    Req assistantToolCall(String id, String name, String arguments) {
        ObjectNode m = messages.addObject().put("role", "assistant");
        m.putNull("content");
        ObjectNode call = m.putArray("tool_calls").addObject().put("id", id).put("type", "function");
        call.putObject("function").put("name", name).put("arguments", arguments);
        return this;
    }

    Req toolResult(String id, String content) {
        messages.addObject().put("role", "tool").put("tool_call_id", id).put("content", content);
        return this;
    }

    /** A function tool whose parameters are string properties; the first one is required. */
    Req tool(String name, String... properties) {
        ObjectNode fn = root.withArray("tools").addObject().put("type", "function").putObject("function")
                .put("name", name).put("description", "test tool " + name);
        ObjectNode params = fn.putObject("parameters").put("type", "object");
        ObjectNode props = params.putObject("properties");
        for (String p : properties) {
            props.putObject(p).put("type", "string");
        }
        if (properties.length > 0) {
            params.putArray("required").add(properties[0]);
        }
        return this;
    }

    Req stream() {
        root.put("stream", true);
        root.putObject("stream_options").put("include_usage", true);
        return this;
    }

    Req streamWithoutUsageOption() {
        root.put("stream", true);
        return this;
    }

    String json() {
        return root.toString();
    }
}
