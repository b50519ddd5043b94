package io.chatplatform.chat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import io.chatplatform.chat.FakeSessionService.Session;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** The fake's turn routes, as the session-service contract says (see {@link FakeSessionService}). */
final class FakeTurns {

    private FakeTurns() {
    }

    /** POST .../turns: the user message stored once per client_message_id, the context tail within the budget. */
    static void beginTurn(HttpExchange ex, Session s) throws IOException {
        JsonNode body = FakeSessionService.body(ex);
        String cmid = body.path("client_message_id").asText();
        synchronized (s) {
            ObjectNode user = null;
            for (ObjectNode m : s.messages) {
                if (cmid.equals(m.path("client_message_id").asText(null))) {
                    user = m;
                }
            }
            boolean replay = user != null;
            if (!replay) {
                user = message(s, "user", body.path("content").asText(), cmid);
                s.messages.add(user);
                s.answerOf.put(cmid, body.path("answer_id").asText());
                if (s.title == null) {
                    String t = body.path("content").asText();
                    s.title = t.length() > 40 ? t.substring(0, 40) : t;
                }
            }
            String answerId = s.answerOf.get(cmid);
            String grant = UUID.randomUUID().toString();
            FakeSessionService.GRANTS.put(grant, s.id + "|" + answerId);
            ObjectNode out = FakeSessionService.JSON.createObjectNode();
            out.set("user_message", user.deepCopy().put("session_title", s.title));
            out.put("answer_id", answerId);
            out.put("write_grant", grant);
            out.set("context", context(s, user.path("seq").asLong(), body.path("context_budget_tokens").asInt()));
            out.set("answer", s.messages.stream().filter(m -> answerId.equals(m.path("id").asText())).findFirst()
                    .map(ObjectNode::deepCopy).orElse(null));
            FakeSessionService.send(ex, replay ? 200 : 201, out);
        }
    }

    /** The messages before {@code seq}, newest first while they fit the budget, returned oldest first. */
    private static ArrayNode context(Session s, long seq, int budget) {
        List<ObjectNode> tail = new ArrayList<>();
        int used = 0;
        for (int i = s.messages.size() - 1; i >= 0; i--) {
            ObjectNode m = s.messages.get(i);
            if (m.path("seq").asLong() >= seq) {
                continue;
            }
            int cost = (m.path("content").asText().length() + 3) / 4 + 4;
            if (used + cost > budget) {
                break;
            }
            used += cost;
            tail.add(0, m);
        }
        ArrayNode arr = FakeSessionService.JSON.createArrayNode();
        tail.forEach(arr::add);
        return arr;
    }

    /** PUT .../answers/{id} with "Authorization: Grant ...": last write wins until one has a finish_reason. */
    static void putAnswer(HttpExchange ex, String sid, String answerId) throws IOException {
        String auth = ex.getRequestHeaders().getFirst("Authorization");
        JsonNode body = FakeSessionService.body(ex);
        int status = FakeSessionService.down ? 503
                : auth == null || !auth.startsWith("Grant ") || !(sid + "|" + answerId).equals(FakeSessionService.GRANTS.get(auth.substring(6))) ? 401
                : body.path("content").asText().getBytes(StandardCharsets.UTF_8).length > FakeSessionService.MAX_CONTENT_BYTES ? 413 : 200;
        FakeSessionService.ANSWER_WRITES.add(new FakeSessionService.AnswerWrite(sid, answerId, auth, body, status));
        if (status != 200) {
            FakeSessionService.send(ex, status, FakeSessionService.JSON.createObjectNode().put("title", "refused " + status));
            return;
        }
        Session s = FakeSessionService.SESSIONS.get(sid);
        synchronized (s) {
            ObjectNode m = s.messages.stream().filter(x -> answerId.equals(x.path("id").asText())).findFirst().orElse(null);
            if (m == null) {
                m = message(s, "assistant", "", null);
                m.put("id", answerId);
                s.messages.add(m);
            }
            if (!m.hasNonNull("finish_reason")) {
                m.put("content", body.path("content").asText());
                m.set("metadata", body.get("metadata"));
                m.set("finish_reason", body.get("finish_reason"));
            }
            FakeSessionService.send(ex, 200, m);
        }
    }

    private static ObjectNode message(Session s, String role, String content, String cmid) {
        ObjectNode m = FakeSessionService.JSON.createObjectNode();
        m.put("id", UUID.randomUUID().toString());
        m.put("session_id", s.id);
        m.put("seq", s.messages.size() + 1);
        m.put("role", role);
        m.put("content", content);
        m.put("client_message_id", cmid);
        m.putNull("metadata");
        m.put("created_at", Instant.now().toString());
        m.putNull("parent_id");
        return m;
    }
}
