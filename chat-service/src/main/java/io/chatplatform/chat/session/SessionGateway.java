package io.chatplatform.chat.session;

import com.fasterxml.jackson.databind.JsonNode;
import io.chatplatform.common.ProblemException;
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
 * session-service as chat-service needs it: failures become problems (404 for someone else's or a
 * missing session, 503 + Retry-After when session-service is unavailable). Lists are read tolerantly
 * (a bare array or an object with {@code items}).
 */
@ApplicationScoped
public class SessionGateway {

    private static final Logger LOG = Logger.getLogger(SessionGateway.class);

    /** {@code sessionTitle} is only set on append (session-service titles a session by its first user message). */
    public record StoredMessage(String id, long seq, String role, String content, String sessionTitle) {
    }

    @RestClient
    SessionClient client;

    /** Creates an untitled session; session-service titles it from the first user message. */
    public String createSession(String auth) {
        Map<String, Object> body = new LinkedHashMap<>();
        return call(() -> client.createSession(auth, body)).path("id").asText();
    }

    /** Throws 404 when the session does not exist or belongs to someone else. */
    public JsonNode getSession(String auth, String sessionId) {
        return call(() -> client.getSession(auth, sessionId));
    }

    public StoredMessage addMessage(String auth, String sessionId, String role, String content,
                                    String clientMessageId, Map<String, Object> metadata) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("role", role);
        body.put("content", content);
        body.put("client_message_id", clientMessageId);
        body.put("metadata", metadata);
        JsonNode n = call(() -> client.addMessage(auth, sessionId, body));
        return toMessage(n);
    }

    /**
     * The newest {@code max} messages in seq order. seq is gap-free 1..message_count (session-service's
     * contract), so the tail starts right after {@code message_count - max}: a few pages, however long the session.
     */
    public List<StoredMessage> history(String auth, String sessionId, int max) {
        long count = call(() -> client.getSession(auth, sessionId)).path("message_count").asLong();
        List<StoredMessage> tail = new ArrayList<>();
        Long after = count > max ? count - max : null;
        int page = 100;
        while (tail.size() < max) {
            Long a = after;
            List<JsonNode> items = items(call(() -> client.messages(auth, sessionId, a, page)));
            for (JsonNode n : items) {
                tail.add(toMessage(n));
            }
            if (items.size() < page) {
                break;
            }
            after = tail.get(tail.size() - 1).seq();
        }
        return tail.size() > max ? tail.subList(tail.size() - max, tail.size()) : tail;
    }

    public List<JsonNode> listSessions(String auth, int limit) {
        return items(call(() -> client.listSessions(auth, limit)));
    }

    public List<JsonNode> search(String auth, String query, int limit) {
        return items(call(() -> client.search(auth, query, limit)));
    }

    /** session-service answers every list (sessions, history, search) as {@code {items: [...], ...}}. */
    static List<JsonNode> items(JsonNode n) {
        List<JsonNode> out = new ArrayList<>();
        JsonNode arr = n == null ? null : n.get("items");
        if (arr != null && arr.isArray()) {
            arr.forEach(out::add);
        }
        return out;
    }

    private static StoredMessage toMessage(JsonNode n) {
        return new StoredMessage(n.path("id").asText(), n.path("seq").asLong(), n.path("role").asText(),
                n.path("content").asText(), n.hasNonNull("session_title") ? n.get("session_title").asText() : null);
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
