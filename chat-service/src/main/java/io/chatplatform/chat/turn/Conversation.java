package io.chatplatform.chat.turn;

import com.fasterxml.jackson.databind.JsonNode;
import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.ToolExecutionResultMessage;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.output.TokenUsage;
import io.chatplatform.chat.ChatConfig;
import io.chatplatform.chat.api.TurnResult.ToolCall;
import io.chatplatform.chat.llm.ModelCaller;
import io.chatplatform.chat.llm.ModelException;
import io.chatplatform.chat.llm.ModelStream;
import io.chatplatform.chat.tools.ToolDispatcher;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The model and tool rounds of a turn: call the model (tools offered until {@code chat.max-tool-rounds} rounds were
 * used), read its stream, run the tools it asked for and call it again, until it answers in text, the turn is
 * cancelled or the quota cuts it off. Returns the finish reason.
 */
@ApplicationScoped
class Conversation {

    private final ChatConfig config;
    private final ModelCaller caller;
    private final StreamReader reader;
    private final ToolDispatcher tools;

    Conversation(ChatConfig config, ModelCaller caller, StreamReader reader, ToolDispatcher tools) {
        this.config = config;
        this.caller = caller;
        this.reader = reader;
        this.tools = tools;
    }

    String converse(TurnContext turn, AnswerDraft draft, AnswerWriter writer, List<ChatMessage> messages) {
        int rounds = 0;
        while (true) {
            boolean offerTools = rounds < config.maxToolRounds();
            ChatRequest.Builder request = ChatRequest.builder().messages(messages);
            if (offerTools) {
                request.toolSpecifications(tools.specifications());
            }
            if (turn.cancelled()) {
                return "cancelled";
            }
            ModelStream stream;
            try {
                stream = caller.open(request.build(), config.firstTokenTimeout(), turn.handle(),
                        text -> StreamReader.publishFirst(turn, draft, text));
            } catch (ModelException.Cancelled e) {
                return "cancelled";
            }
            ChatResponse response = reader.read(stream, turn, draft, writer);
            if (response == null) {
                return draft.truncated() ? "length" : "cancelled";
            }
            countUsage(response.tokenUsage(), messages, draft);
            AiMessage ai = response.aiMessage();
            if (ai != null && ai.hasToolExecutionRequests() && offerTools) {
                rounds++;
                messages.add(ai);
                for (ToolExecutionRequest req : ai.toolExecutionRequests()) {
                    if (turn.cancelled()) {
                        return "cancelled";
                    }
                    messages.add(runTool(turn, draft, req));
                }
                continue;
            }
            if (!offerTools) {
                return "tool_rounds_exceeded";
            }
            return response.finishReason() == null ? "stop" : response.finishReason().name().toLowerCase(Locale.ROOT);
        }
    }

    private static void countUsage(TokenUsage u, List<ChatMessage> messages, AnswerDraft draft) {
        if (u != null && u.inputTokenCount() != null) {
            draft.usage(u.inputTokenCount(), u.outputTokenCount() == null ? 0 : u.outputTokenCount());
        } else {
            draft.usage(messages.stream().mapToInt(m -> ContextBuilder.estimate(m.toString())).sum(), 0);
        }
    }

    private ToolExecutionResultMessage runTool(TurnContext turn, AnswerDraft draft, ToolExecutionRequest req) {
        StreamReader.flush(turn, draft);
        JsonNode args = tools.arguments(req);
        Map<String, Object> started = new LinkedHashMap<>();
        started.put("tool", req.name());
        started.put("arguments", args);
        turn.events().offer("tool.started", started);
        ToolDispatcher.Outcome o = tools.execute(turn.user(), req);
        Map<String, Object> finished = new LinkedHashMap<>();
        finished.put("tool", o.tool());
        finished.put("ok", o.ok());
        finished.put("summary", o.summary());
        turn.events().offer("tool.finished", finished);
        draft.toolCall(new ToolCall(o.tool(), args, o.ok(), o.summary()));
        return ToolExecutionResultMessage.from(req, ToolDispatcher.wrapForModel(o));
    }
}
