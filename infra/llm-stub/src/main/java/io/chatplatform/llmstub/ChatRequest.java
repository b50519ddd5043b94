package io.chatplatform.llmstub;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The parts of an OpenAI chat-completions request the stand-in looks at. Parsed leniently by hand from a
 * JsonNode so that any field a client adds (temperature, seed, response_format, ...) is simply ignored.
 */
public record ChatRequest(String model, boolean stream, Boolean includeUsage, List<Msg> messages, List<ToolDef> tools,
                          boolean toolChoiceNone) {

    private static final Set<String> ROLES = Set.of("system", "developer", "user", "assistant", "tool", "function");

    public record Msg(String role, String text, String toolCallId, String name, List<ToolCallIn> toolCalls) {
    }

    public record ToolCallIn(String id, String name, String arguments) {
    }

    /** An offered function tool with its JSON schema properties (name -> JSON type) and required names. */
    public record ToolDef(String name, Map<String, String> properties, List<String> required) {
    }

    public static final class Invalid extends RuntimeException {
        final String param;

        Invalid(String message, String param) {
            super(message);
            this.param = param;
        }
    }

    public static ChatRequest parse(JsonNode body) {
        if (body == null || !body.isObject()) {
            throw new Invalid("The request body must be a JSON object.", null);
        }
        JsonNode msgs = body.get("messages");
        if (msgs == null || !msgs.isArray() || msgs.isEmpty()) {
            throw new Invalid("'messages' must be a non-empty array.", "messages");
        }
        List<Msg> messages = new ArrayList<>();
        for (int i = 0; i < msgs.size(); i++) {
            JsonNode m = msgs.get(i);
            String param = "messages[" + i + "]";
            if (!m.isObject()) {
                throw new Invalid(param + " must be an object.", param);
            }
            JsonNode role = m.get("role");
            if (role == null || !role.isTextual() || !ROLES.contains(role.asText())) {
                throw new Invalid(param + ".role must be one of " + ROLES + ".", param + ".role");
            }
            List<ToolCallIn> calls = new ArrayList<>();
            JsonNode tc = m.get("tool_calls");
            if (tc != null && tc.isArray()) {
                for (JsonNode c : tc) {
                    JsonNode f = c.path("function");
                    calls.add(new ToolCallIn(c.path("id").asText(null), f.path("name").asText(""),
                            f.path("arguments").asText("")));
                }
            }
            messages.add(new Msg(role.asText(), text(m.get("content"), param), m.path("tool_call_id").asText(null),
                    m.path("name").asText(null), calls));
        }
        JsonNode stream = body.get("stream");
        if (stream != null && !stream.isNull() && !stream.isBoolean()) {
            throw new Invalid("'stream' must be a boolean.", "stream");
        }
        JsonNode includeUsage = body.path("stream_options").get("include_usage");
        List<ToolDef> tools = new ArrayList<>();
        JsonNode ts = body.get("tools");
        if (ts != null && ts.isArray()) {
            for (JsonNode t : ts) {
                JsonNode f = t.path("function");
                String name = f.path("name").asText("");
                if (name.isEmpty()) {
                    continue;
                }
                Map<String, String> props = new LinkedHashMap<>();
                Iterator<Map.Entry<String, JsonNode>> it = f.path("parameters").path("properties").fields();
                while (it.hasNext()) {
                    Map.Entry<String, JsonNode> e = it.next();
                    props.put(e.getKey(), e.getValue().path("type").asText("string"));
                }
                List<String> required = new ArrayList<>();
                f.path("parameters").path("required").forEach(r -> required.add(r.asText()));
                tools.add(new ToolDef(name, props, required));
            }
        }
        JsonNode model = body.get("model");
        return new ChatRequest(model != null && model.isTextual() && !model.asText().isBlank() ? model.asText() : null,
                stream != null && stream.asBoolean(), includeUsage != null && includeUsage.isBoolean()
                ? includeUsage.asBoolean() : null, messages, tools,
                "none".equals(body.path("tool_choice").asText("")));
    }

    /** Content is a string, null, or an array of parts (text parts are joined; other parts become a placeholder). */
    private static String text(JsonNode content, String param) {
        if (content == null || content.isNull()) {
            return "";
        }
        if (content.isTextual()) {
            return content.asText();
        }
        if (content.isArray()) {
            StringBuilder sb = new StringBuilder();
            for (JsonNode part : content) {
                if (sb.length() > 0) {
                    sb.append(' ');
                }
                if (part.isTextual()) {
                    sb.append(part.asText());
                } else if (part.has("text")) {
                    sb.append(part.path("text").asText());
                } else {
                    sb.append('[').append(part.path("type").asText("part")).append(']');
                }
            }
            return sb.toString();
        }
        throw new Invalid(param + ".content must be a string, an array of parts or null.", param + ".content");
    }

    /** The last message with role user, or null. */
    public Msg lastUser() {
        for (int i = messages.size() - 1; i >= 0; i--) {
            if ("user".equals(messages.get(i).role())) {
                return messages.get(i);
            }
        }
        return null;
    }
}
