package io.chatplatform.chat.session;

import com.fasterxml.jackson.databind.JsonNode;
import io.chatplatform.common.problem.ProblemException;
import io.smallrye.mutiny.Uni;
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
    private static final com.fasterxml.jackson.databind.ObjectMapper PROBLEMS = new com.fasterxml.jackson.databind.ObjectMapper();

    /**
     * A message as session-service returns it; {@code sessionTitle} only when session-service sends one. It is version
     * {@code version} of {@code versions} (1 of 1 when never edited or regenerated, and from a session-service that
     * predates the message tree).
     */
    public record StoredMessage(String id, long seq, String role, String content, String sessionTitle, int version,
                                int versions) {
    }

    /**
     * The begin-turn body: {@code content} is null for a regenerate; {@code editOf} / {@code regenerateOf} (at most
     * one) name a user message on the branch shown.
     */
    public record TurnBody(String clientMessageId, String content, String answerId, int contextBudgetTokens,
                           String editOf, String regenerateOf) {
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
    public Uni<String> createSession(String auth) {
        return client.createSession(auth, new LinkedHashMap<>()).onFailure().transform(SessionGateway::problem)
                .map(n -> n.path("id").asText());
    }

    public Uni<BegunTurn> beginTurn(String auth, String sessionId, TurnBody turn) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("client_message_id", turn.clientMessageId());
        if (turn.content() != null) {
            body.put("content", turn.content());
        }
        body.put("parent_id", null);
        body.put("answer_id", turn.answerId());
        body.put("context_budget_tokens", turn.contextBudgetTokens());
        // only when set: a plain turn's body stays what every session-service version accepts
        if (turn.editOf() != null) {
            body.put("edit_of", turn.editOf());
        }
        if (turn.regenerateOf() != null) {
            body.put("regenerate_of", turn.regenerateOf());
        }
        return client.beginTurn(auth, sessionId, body).onFailure().transform(SessionGateway::problem)
                .map(n -> begun(n, turn.answerId()));
    }

    private static BegunTurn begun(JsonNode n, String answerId) {
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
                n.path("content").asText(), title, n.path("version").asInt(1), n.path("versions").asInt(1));
    }

    private static <T> T call(Supplier<T> s) {
        try {
            return s.get();
        } catch (RuntimeException e) {
            throw problem(e);
        }
    }

    /** A failed call as the problem the turn's caller gets. */
    private static ProblemException problem(Throwable failure) {
        if (failure instanceof ProblemException p) {
            return p;
        }
        if (failure instanceof WebApplicationException e) {
            int status = e.getResponse().getStatus();
            if (status == 404 || status == 403) {
                return ProblemException.notFound("Session not found.");
            }
            if (status == 401) {
                return ProblemException.unauthorized("Token rejected by session-service.");
            }
            if (status >= 500 || status == 429) {
                return unavailable();
            }
            if (status == 409) {
                // e.g. edit_of / regenerate_of naming a message that is no longer on the branch shown
                return ProblemException.conflict("session-service refused the turn: " + detail(e, "conflict") + ".");
            }
            return ProblemException.badRequest("session-service rejected the request (" + status + "): " + detail(e, "invalid") + ".");
        }
        LOG.warnf("session-service unreachable: %s", failure.getClass().getSimpleName());
        return unavailable();
    }

    /** The {@code detail} of session-service's problem, so a 400 or 409 says which rule the turn broke. */
    private static String detail(WebApplicationException e, String fallback) {
        try {
            JsonNode problem = PROBLEMS.readTree(e.getResponse().readEntity(String.class));
            String d = problem.path("detail").asText("").strip().replaceAll("\\.$", "");
            return d.isBlank() ? fallback : d.length() > 200 ? d.substring(0, 200) : d;
        } catch (RuntimeException | java.io.IOException ex) {
            return fallback;
        }
    }

    private static ProblemException unavailable() {
        return ProblemException.unavailable(Duration.ofSeconds(5), "session-service is unavailable; try again shortly.");
    }
}
