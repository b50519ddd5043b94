package io.chatplatform.chat.tools;

import com.fasterxml.jackson.databind.JsonNode;
import dev.langchain4j.agent.tool.P;
import dev.langchain4j.agent.tool.Tool;
import io.chatplatform.chat.ChatConfig;
import io.chatplatform.chat.session.SessionGateway;
import io.quarkus.runtime.annotations.RegisterForReflection;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;

/**
 * The tools the model may call. None takes a user or session id: every method acts for
 * {@link UserContext#current()}, which the dispatcher binds from the verified JWT. No open-ended tools
 * (no shell, no URL fetch).
 */
@ApplicationScoped
@RegisterForReflection
public class ChatTools {

    private final SessionGateway sessions;
    private final KnowledgeBase knowledge;
    private final FactStore facts;
    private final ChatConfig config;

    public ChatTools(SessionGateway sessions, KnowledgeBase knowledge, FactStore facts, ChatConfig config) {
        this.sessions = sessions;
        this.knowledge = knowledge;
        this.facts = facts;
        this.config = config;
    }

    @Tool(name = "search_history", value = "Full-text search over the user's own past chat messages.")
    public String searchHistory(@P("words to search for") String query) {
        required(query, "query");
        UserContext user = UserContext.current();
        List<JsonNode> hits = sessions.search(user.authorization(), query, 5);
        if (hits.isEmpty()) {
            return "No matching messages.";
        }
        StringBuilder sb = new StringBuilder();
        for (JsonNode h : hits) {
            String text = h.hasNonNull("snippet") ? snippetText(h.get("snippet").asText()) : h.path("content").asText();
            sb.append("- [").append(h.path("session_title").asText(h.path("title").asText("session")))
                    .append("] ").append(h.path("role").asText("message")).append(": ").append(text).append('\n');
        }
        return sb.toString();
    }

    /**
     * session-service's search snippets are HTML for the page: matches wrapped in {@code <mark>}, the text escaped
     * ({@code &lt; &gt; &amp; &quot; &#39;}). The model gets the plain text back. Marks go first: a literal
     * {@code <mark>} typed by a user is still escaped at that point.
     */
    static String snippetText(String html) {
        return html.replace("<mark>", "").replace("</mark>", "")
                .replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&#39;", "'")
                .replace("&amp;", "&");
    }

    @Tool(name = "list_sessions", value = "Lists the user's most recent chat sessions with their titles.")
    public String listSessions() {
        UserContext user = UserContext.current();
        List<JsonNode> list = sessions.listSessions(user.authorization(), 10);
        if (list.isEmpty()) {
            return "No sessions.";
        }
        StringBuilder sb = new StringBuilder();
        for (JsonNode s : list) {
            sb.append("- ").append(s.path("title").asText("(untitled)"));
            if (s.hasNonNull("updated_at")) {
                sb.append(" (last active ").append(s.get("updated_at").asText()).append(')');
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    @Tool(name = "search_knowledge", value = "Searches the platform's help documents (how the chat platform works).")
    public String searchKnowledge(@P("words to search for") String query) {
        required(query, "query");
        List<KnowledgeBase.Hit> hits = knowledge.search(query, config.knowledge().maxResults());
        if (hits.isEmpty()) {
            return "No matching documents.";
        }
        StringBuilder sb = new StringBuilder();
        for (KnowledgeBase.Hit h : hits) {
            sb.append("## ").append(h.heading()).append(" (").append(h.document()).append(")\n").append(h.text()).append("\n\n");
        }
        return sb.toString();
    }

    @Tool(name = "remember_fact", value = "Stores a short fact about the user that they asked to be remembered.")
    public String rememberFact(@P("the fact, one sentence") String fact) {
        required(fact, "fact");
        UserContext user = UserContext.current();
        String f = fact.strip();
        if (f.isEmpty()) {
            return "Nothing to remember.";
        }
        if (!facts.add(user.userId(), f.length() > 500 ? f.substring(0, 500) : f, config.maxFacts())) {
            return "Not remembered: the account is being deleted.";
        }
        return "Remembered: " + f;
    }

    @Tool(name = "recall_facts", value = "Lists the facts the user asked to be remembered.")
    public String recallFacts() {
        List<String> all = facts.all(UserContext.current().userId());
        return all.isEmpty() ? "No remembered facts." : "- " + String.join("\n- ", all);
    }

    @Tool(name = "current_time", value = "Current date and time in an IANA time zone such as Europe/Paris.")
    public String currentTime(@P("IANA time zone id, e.g. Europe/Paris") String timezone) {
        required(timezone, "timezone");
        ZoneId zone;
        try {
            zone = ZoneId.of(timezone.strip());
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("unknown time zone");
        }
        return ZonedDateTime.now(zone).format(DateTimeFormatter.ISO_OFFSET_DATE_TIME) + " (" + zone.getId() + ")";
    }

    private static void required(String value, String name) {
        if (value == null) {
            throw new IllegalArgumentException("missing argument " + name);
        }
    }
}
