package io.chatplatform.chat.session;

import com.fasterxml.jackson.databind.JsonNode;
import io.chatplatform.common.problem.ProblemException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.WebApplicationException;
import org.eclipse.microprofile.rest.client.inject.RestClient;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * session-service as chat-service needs it: failures become problems (404 for someone else's or a missing
 * session, 503 + Retry-After when session-service is unavailable).
 */
@ApplicationScoped
public class SessionGateway {

    private static final Logger LOG = Logger.getLogger(SessionGateway.class);

    /** A message as session-service returns it; {@code sessionTitle} only when session-service sends one. */
    public record StoredMessage(String id, long seq, String role, String content, String sessionTitle) {
    }

    /**
     * What {@code POST .../turns} answered: the stored user message, the answer's id and write grant, the context
     * before the user message (oldest first) and, on a replay, the answer stored so far (else null).
     */
    public record BegunTurn(StoredMessage userMessage, String answerId, String writeGrant, List<StoredMessage> context,
                            JsonNode answer) {
    }

    @RestClient
    SessionClient client;

    /** Creates an untitled session; session-service titles it from the first user message. */
    public String createSession(String auth) {
        Map<String, Object> body = new LinkedHashMap<>();
        return call(() -> client.createSession(auth, body)).path("id").asText();
    }

    public BegunTurn beginTurn(String auth, String sessionId, String clientMessageId, String content, String answerId,
                               int contextBudgetTokens) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("client_message_id", clientMessageId);
        body.put("content", content);
        body.put("parent_id", null);
        body.put("answer_id", answerId);
        body.put("context_budget_tokens", contextBudgetTokens);
        JsonNode n = call(() -> client.beginTurn(auth, sessionId, body));
        List<StoredMessage> context = new ArrayList<>();
        n.path("context").forEach(m -> context.add(toMessage(m, null)));
        JsonNode answer = n.hasNonNull("answer") ? n.get("answer") : null;
        // the title may ride on the user message (as on append) or beside it
        String title = n.path("user_message").hasNonNull("session_title") ? n.path("user_message").get("session_title").asText()
                : n.hasNonNull("session_title") ? n.get("session_title").asText() : null;
        return new BegunTurn(toMessage(n.path("user_message"), title), n.path("answer_id").asText(answerId),
                n.path("write_grant").asText(), context, answer);
    }

    public List<JsonNode> listSessions(String auth, int limit) {
        return items(call(() -> client.listSessions(auth, limit)));
    }

    public List<JsonNode> search(String auth, String query, int limit) {
        return items(call(() -> client.search(auth, query, limit)));
    }

    /** session-service answers every list (sessions, search) as {@code {items: [...], ...}}. */
    static List<JsonNode> items(JsonNode n) {
        List<JsonNode> out = new ArrayList<>();
        JsonNode arr = n == null ? null : n.get("items");
        if (arr != null && arr.isArray()) {
            arr.forEach(out::add);
        }
        return out;
    }

    private static StoredMessage toMessage(JsonNode n, String title) {
        return new StoredMessage(n.path("id").asText(), n.path("seq").asLong(), n.path("role").asText(),
                n.path("content").asText(), title);
    }

    private <T> T call(Supplier<T> s) {
        try {
            return s.get();
        } catch (WebApplicationException e) {
            int status = e.getResponse().getStatus();
            if (status == 404 || status == 403) {
                throw ProblemException.notFound("Session not found.");
            }
            if (status == 401) {
                throw ProblemException.unauthorized("Token rejected by session-service.");
            }
            if (status >= 500 || status == 429) {
                throw unavailable();
            }
            throw ProblemException.badRequest("session-service rejected the request (" + status + ").");
        } catch (ProblemException e) {
            throw e;
        } catch (RuntimeException e) {
            LOG.warnf("session-service unreachable: %s", e.getClass().getSimpleName());
            throw unavailable();
        }
    }

    private static ProblemException unavailable() {
        return ProblemException.unavailable(Duration.ofSeconds(5), "session-service is unavailable; try again shortly.");
    }
}
