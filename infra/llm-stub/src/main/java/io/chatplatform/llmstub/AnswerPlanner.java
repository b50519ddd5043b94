package io.chatplatform.llmstub;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.chatplatform.llmstub.ChatRequest.Msg;
import io.chatplatform.llmstub.ChatRequest.ToolCallIn;
import io.chatplatform.llmstub.ChatRequest.ToolDef;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Decides deterministically what the stand-in answers: a text or a call of one of the offered tools. */
@ApplicationScoped
public class AnswerPlanner {

    static final String INTRO = "I am the offline stand-in model (no real LLM is configured).";
    private static final List<String> FILLER = List.of("alpha", "bravo", "charlie", "delta", "echo", "foxtrot",
            "golf", "hotel", "india", "juliett", "kilo", "lima", "mike", "november", "oscar", "papa", "quebec",
            "romeo", "sierra", "tango", "uniform", "victor", "whiskey", "xray", "yankee", "zulu");
    private static final int ECHO_CHARS = 200;
    private static final java.util.regex.Pattern WORD_WITH_SPACE = java.util.regex.Pattern.compile("(\\s*)(\\S+)");
    private static final int TOOL_RESULT_CHARS = 300;
    private static final int ARG_FRAGMENT_CHARS = 8;

    /** A user phrase that asks for a tool: the tool-name fragment, the argument it fills and the pattern. */
    private record Rule(Pattern pattern, String toolFragment, String argument) {
    }

    private static final List<Rule> RULES = List.of(
            new Rule(Pattern.compile("search (?:my )?(?:chat )?history for (.+)", Pattern.CASE_INSENSITIVE),
                    "history", "query"),
            new Rule(Pattern.compile("search (?:the )?(?:knowledge base|knowledge|docs|documentation) for (.+)",
                    Pattern.CASE_INSENSITIVE), "knowledge", "query"),
            new Rule(Pattern.compile("remember that (.+)", Pattern.CASE_INSENSITIVE), "remember", "fact"),
            new Rule(Pattern.compile("what do you remember|\\brecall\\b", Pattern.CASE_INSENSITIVE), "recall", null),
            new Rule(Pattern.compile("what time is it in (.+)", Pattern.CASE_INSENSITIVE), "time", "timezone"),
            new Rule(Pattern.compile("list my sessions", Pattern.CASE_INSENSITIVE), "sessions", null));

    public sealed interface Plan permits TextPlan, ToolPlan {
        int promptTokens();

        int completionTokens();
    }

    /** Answer text as tokens: the first word bare, every other one with its leading space. */
    public record TextPlan(List<String> tokens, int promptTokens) implements Plan {
        public String content() {
            return String.join("", tokens);
        }

        public int completionTokens() {
            return tokens.size();
        }
    }

    /** One tool call; the arguments are streamed in fragments (name + fragments = completion tokens). */
    public record ToolPlan(String callId, String name, String arguments, List<String> fragments, int promptTokens)
            implements Plan {
        public int completionTokens() {
            return 1 + fragments.size();
        }
    }

    private final ObjectMapper mapper;

    public AnswerPlanner(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    public Plan plan(ChatRequest req, Directives d, Integer answerTokens) {
        int prompt = promptTokens(req);
        List<Msg> msgs = req.messages();
        boolean offered = !req.tools().isEmpty() && !req.toolChoiceNone();
        int round = (int) msgs.stream().filter(m -> "tool".equals(m.role())).count();

        if (offered && d.toolLoop()) {
            ToolDef first = req.tools().get(0);
            return toolPlan(first, loopArguments(first, d.cleanText()), round, prompt);
        }
        Msg last = msgs.get(msgs.size() - 1);
        if ("tool".equals(last.role()) || "function".equals(last.role())) {
            return textPlan(toolResultAnswer(msgs), answerTokens, prompt);
        }
        if (offered && "user".equals(last.role())) {
            for (Rule rule : RULES) {
                Matcher m = rule.pattern().matcher(d.cleanText());
                if (!m.find()) {
                    continue;
                }
                ToolDef tool = req.tools().stream()
                        .filter(t -> t.name().toLowerCase(Locale.ROOT).contains(rule.toolFragment()))
                        .findFirst().orElse(null);
                if (tool == null) {
                    break; // only offered tools are ever called: answer in text instead
                }
                ObjectNode args = mapper.createObjectNode();
                if (rule.argument() != null) {
                    args.put(argumentName(tool, rule.argument()), trimArgument(m.group(1)));
                }
                return toolPlan(tool, args, round, prompt);
            }
        }
        return textPlan(echoAnswer(req, d.cleanText()), answerTokens, prompt);
    }

    private String echoAnswer(ChatRequest req, String userText) {
        StringBuilder sb = new StringBuilder(INTRO).append(" You said: \"").append(cut(userText, ECHO_CHARS))
                .append("\". I received ").append(req.messages().size())
                .append(req.messages().size() == 1 ? " message" : " messages");
        if (!req.tools().isEmpty()) {
            sb.append(" and ").append(req.tools().size()).append(req.tools().size() == 1 ? " tool" : " tools")
                    .append(" (").append(String.join(", ", req.tools().stream().map(ToolDef::name).toList()))
                    .append(")");
        }
        return sb.append('.').toString();
    }

    /** Quotes the trailing tool results, naming each tool through the assistant message that called it. */
    private String toolResultAnswer(List<Msg> msgs) {
        int start = msgs.size();
        while (start > 0 && ("tool".equals(msgs.get(start - 1).role()) || "function".equals(msgs.get(start - 1).role()))) {
            start--;
        }
        List<String> parts = new ArrayList<>();
        for (int i = start; i < msgs.size(); i++) {
            Msg result = msgs.get(i);
            String name = result.name();
            for (int j = start - 1; j >= 0 && name == null; j--) {
                for (ToolCallIn call : msgs.get(j).toolCalls()) {
                    if (call.id() != null && call.id().equals(result.toolCallId())) {
                        name = call.name();
                    }
                }
            }
            parts.add("The " + (name == null ? "unnamed" : name) + " tool returned: "
                    + truncate(result.text(), TOOL_RESULT_CHARS));
        }
        return String.join(" ", parts);
    }

    private TextPlan textPlan(String text, Integer answerTokens, int prompt) {
        // one token per word, after one space, or after the whitespace as written when it breaks the line (an
        // echoed Markdown code block stays one)
        List<String> tokens = new ArrayList<>();
        java.util.regex.Matcher m = WORD_WITH_SPACE.matcher(text == null ? "" : text.strip());
        while (m.find() && (answerTokens == null || tokens.size() < answerTokens)) {
            String sep = m.group(1);
            tokens.add((tokens.isEmpty() ? "" : sep.indexOf('\n') >= 0 ? sep : " ") + m.group(2));
        }
        if (answerTokens != null) {
            for (int i = 0; tokens.size() < answerTokens; i++) {
                String w = FILLER.get(i % FILLER.size());
                tokens.add(tokens.isEmpty() ? w : " " + w);
            }
        }
        return new TextPlan(tokens, prompt);
    }

    private ToolPlan toolPlan(ToolDef tool, ObjectNode args, int round, int prompt) {
        String json = args.toString();
        List<String> fragments = new ArrayList<>();
        int i = 0;
        while (i < json.length()) {
            int end = Math.min(json.length(), i + ARG_FRAGMENT_CHARS);
            if (end < json.length() && Character.isHighSurrogate(json.charAt(end - 1))) {
                end++;
            }
            fragments.add(json.substring(i, end));
            i = end;
        }
        String id = "call_stub_" + round + "_" + Integer.toHexString((tool.name() + json).hashCode() & 0x7fffffff);
        return new ToolPlan(id, tool.name(), json, fragments, prompt);
    }

    /** Prefer the argument name the rule wants; else the schema's first required, else first property. */
    private static String argumentName(ToolDef tool, String wanted) {
        if (tool.properties().isEmpty() || tool.properties().containsKey(wanted)) {
            return wanted;
        }
        if (!tool.required().isEmpty()) {
            return tool.required().get(0);
        }
        return tool.properties().keySet().iterator().next();
    }

    private ObjectNode loopArguments(ToolDef tool, String text) {
        ObjectNode args = mapper.createObjectNode();
        List<String> names = tool.required().isEmpty() && !tool.properties().isEmpty()
                ? List.of(tool.properties().keySet().iterator().next()) : tool.required();
        for (String n : names) {
            switch (tool.properties().getOrDefault(n, "string")) {
                case "integer", "number" -> args.put(n, 1);
                case "boolean" -> args.put(n, true);
                default -> args.put(n, truncate(text, 50));
            }
        }
        return args;
    }

    private static String trimArgument(String s) {
        return s.trim().replaceAll("^[\"'“]+|[\"'”?.!]+$", "").trim();
    }

    /** The echo: the text as Directives cleaned it (line breaks kept), cut to max characters. */
    static String cut(String s, int max) {
        String t = s == null ? "" : s.trim();
        return t.length() <= max ? t : t.substring(0, max) + "...";
    }

    static String truncate(String s, int max) {
        String norm = s == null ? "" : s.trim().replaceAll("\\s+", " ");
        return norm.length() <= max ? norm : norm.substring(0, max) + "...";
    }

    static String[] words(String s) {
        String t = s == null ? "" : s.trim();
        return t.isEmpty() ? new String[0] : t.split("\\s+");
    }

    /** Deterministic prompt size: per message one token for the role plus its words and tool-call words. */
    static int promptTokens(ChatRequest req) {
        int n = 0;
        for (Msg m : req.messages()) {
            n += 1 + words(m.text()).length;
            for (ToolCallIn c : m.toolCalls()) {
                n += 1 + words(c.arguments()).length;
            }
        }
        return n;
    }
}
