package io.chatplatform.chat.tools;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.agent.tool.ToolSpecifications;
import io.chatplatform.chat.ChatConfig;
import io.chatplatform.common.ProblemException;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.util.List;

/**
 * Runs the model's tool calls for the turn's user. Arguments are read by name from the model's JSON;
 * anything else the model sends (e.g. a user or session id) is ignored. Results are size-capped and wrapped
 * as untrusted data before they go back to the model.
 */
@ApplicationScoped
public class ToolDispatcher {

    private static final Logger LOG = Logger.getLogger(ToolDispatcher.class);

    public record Outcome(String tool, JsonNode arguments, boolean ok, String result, String summary) {
    }

    private final ChatTools tools;
    private final ObjectMapper mapper;
    private final ChatConfig config;
    private final MeterRegistry registry;
    private final List<ToolSpecification> specifications;

    public ToolDispatcher(ChatTools tools, ObjectMapper mapper, ChatConfig config, MeterRegistry registry) {
        this.tools = tools;
        this.mapper = mapper;
        this.config = config;
        this.registry = registry;
        this.specifications = List.copyOf(ToolSpecifications.toolSpecificationsFrom(ChatTools.class));
    }

    public List<ToolSpecification> specifications() {
        return specifications;
    }

    public Outcome execute(UserContext user, ToolExecutionRequest request) {
        String name = request.name();
        JsonNode args;
        try {
            args = request.arguments() == null || request.arguments().isBlank() ? mapper.createObjectNode()
                    : mapper.readTree(request.arguments());
        } catch (Exception e) {
            args = mapper.createObjectNode();
        }
        JsonNode a = args;
        String result;
        boolean ok;
        try {
            result = user.run(() -> switch (name) {
                case "search_history" -> tools.searchHistory(text(a, "query"));
                case "list_sessions" -> tools.listSessions();
                case "search_knowledge" -> tools.searchKnowledge(text(a, "query"));
                case "remember_fact" -> tools.rememberFact(text(a, "fact"));
                case "recall_facts" -> tools.recallFacts();
                case "current_time" -> tools.currentTime(text(a, "timezone"));
                default -> throw new IllegalArgumentException("unknown tool");
            });
            ok = true;
        } catch (ProblemException e) {
            result = "Tool failed: " + (e.status() == 503 ? "service temporarily unavailable" : e.getMessage());
            ok = false;
        } catch (IllegalArgumentException e) {
            result = "Tool failed: " + e.getMessage();
            ok = false;
        } catch (RuntimeException e) {
            LOG.warnf("tool %s failed: %s", name, e.getClass().getSimpleName());
            result = "Tool failed: internal error";
            ok = false;
        }
        registry.counter("chat_tool_calls_total", "tool", known(name), "outcome", ok ? "ok" : "error").increment();
        int max = config.toolResultMaxChars();
        String capped = result.length() > max ? result.substring(0, max) + "\n[truncated]" : result;
        String summary = capped.length() > 200 ? capped.substring(0, 200) + "…" : capped;
        return new Outcome(name, args, ok, capped, summary);
    }

    /** The text handed back to the model: delimited, marked untrusted, with the closing tag neutralised. */
    public static String wrapForModel(Outcome o) {
        String body = o.result().replace("</tool_result", "</tool_result_");
        return "<tool_result untrusted>\n" + body + "\n</tool_result>";
    }

    private static String known(String name) {
        return switch (name) {
            case "search_history", "list_sessions", "search_knowledge", "remember_fact", "recall_facts", "current_time" -> name;
            default -> "unknown";
        };
    }

    private static String text(JsonNode args, String field) {
        JsonNode v = args.get(field);
        if (v == null || v.isNull()) {
            throw new IllegalArgumentException("missing argument " + field);
        }
        return v.asText();
    }
}
