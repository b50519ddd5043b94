package io.chatplatform.chat.tools;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.langchain4j.agent.tool.Tool;
import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.agent.tool.ToolSpecifications;
import dev.langchain4j.exception.ToolArgumentsException;
import dev.langchain4j.exception.ToolExecutionException;
import dev.langchain4j.service.tool.DefaultToolExecutor;
import dev.langchain4j.service.tool.ToolExecutor;
import io.chatplatform.chat.ChatConfig;
import io.chatplatform.common.problem.ProblemException;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs the model's tool calls for the turn's user with langchain4j's own machinery: the specifications come from the
 * {@code @Tool} methods of {@link ChatTools} ({@link ToolSpecifications}), a {@link DefaultToolExecutor} per method
 * parses the model's arguments and invokes it. Around it, what langchain4j does not know: the user the call acts for
 * (bound from the verified JWT, never an argument), the result cap and the untrusted-data wrapping.
 */
@ApplicationScoped
public class ToolDispatcher {

    private static final Logger LOG = Logger.getLogger(ToolDispatcher.class);

    public record Outcome(String tool, boolean ok, String result, String summary) {
    }

    private final ObjectMapper mapper;
    private final ChatConfig config;
    private final MeterRegistry registry;
    private final List<ToolSpecification> specifications = new ArrayList<>();
    private final Map<String, ToolExecutor> executors = new LinkedHashMap<>();

    public ToolDispatcher(ChatTools tools, ObjectMapper mapper, ChatConfig config, MeterRegistry registry) {
        this.mapper = mapper;
        this.config = config;
        this.registry = registry;
        for (Method m : ChatTools.class.getDeclaredMethods()) {
            if (m.isAnnotationPresent(Tool.class)) {
                ToolSpecification spec = ToolSpecifications.toolSpecificationFrom(m);
                specifications.add(spec);
                executors.put(spec.name(), DefaultToolExecutor.builder().object(tools).originalMethod(m).methodToInvoke(m)
                        .wrapToolArgumentsExceptions(true).propagateToolExecutionExceptions(true).build());
            }
        }
    }

    public List<ToolSpecification> specifications() {
        return specifications;
    }

    /** The arguments as JSON for events and the turn's result (an empty object when unreadable). */
    public JsonNode arguments(ToolExecutionRequest request) {
        try {
            String a = request.arguments();
            return a == null || a.isBlank() ? mapper.createObjectNode() : mapper.readTree(a);
        } catch (Exception e) {
            return mapper.createObjectNode();
        }
    }

    public Outcome execute(UserContext user, ToolExecutionRequest request) {
        String name = request.name();
        ToolExecutor executor = executors.get(name);
        String result;
        boolean ok = false;
        if (executor == null) {
            result = "Tool failed: unknown tool";
        } else {
            try {
                result = user.run(() -> executor.execute(request, user.userId()));
                ok = true;
            } catch (ToolArgumentsException e) {
                result = "Tool failed: invalid arguments";
            } catch (ToolExecutionException e) {
                result = "Tool failed: " + failure(name, e.getCause());
            } catch (RuntimeException e) {
                result = "Tool failed: " + failure(name, e);
            }
        }
        registry.counter("chat_tool_calls_total", "tool", executor == null ? "unknown" : name, "outcome", ok ? "ok" : "error")
                .increment();
        int max = config.toolResultMaxChars();
        String capped = result == null ? "" : result.length() > max ? result.substring(0, max) + "\n[truncated]" : result;
        String summary = capped.length() > 200 ? capped.substring(0, 200) + "…" : capped;
        return new Outcome(name, ok, capped, summary);
    }

    /** What the model (and the user) may learn of a failure: never an internal message. */
    private static String failure(String tool, Throwable e) {
        if (e instanceof ProblemException p) {
            return p.status() == 503 ? "service temporarily unavailable" : p.getMessage();
        }
        if (e instanceof IllegalArgumentException) {
            return e.getMessage();
        }
        LOG.warnf("tool %s failed: %s", tool, e == null ? "unknown" : e.getClass().getSimpleName());
        return "internal error";
    }

    /** The text handed back to the model: delimited, marked untrusted, with the closing tag neutralised. */
    public static String wrapForModel(Outcome o) {
        String body = o.result().replace("</tool_result", "</tool_result_");
        return "<tool_result untrusted>\n" + body + "\n</tool_result>";
    }
}
