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

    /**
     * POST .../turns: the user message stored once per client_message_id, the context tail within the budget. With
     * {@code edit_of} the new message is the next version of that user message, which leaves the branch shown with
     * all after it; with {@code regenerate_of} nothing is stored and what followed that user message leaves it.
     */
    static void beginTurn(HttpExchange ex, Session s) throws IOException {
        JsonNode body = FakeSessionService.body(ex);
        String cmid = body.path("client_message_id").asText();
        synchronized (s) {
            s.begun.add(body);
            ObjectNode user = s.userOf.get(cmid);
            boolean replay = user != null;
            if (!replay) {
                String target = body.hasNonNull("edit_of") ? body.get("edit_of").asText()
                        : body.hasNonNull("regenerate_of") ? body.get("regenerate_of").asText() : null;
                ObjectNode on = target == null ? null : onBranch(s, target);
                if (target != null && on == null) {
                    boolean off = s.off.stream().anyMatch(m -> target.equals(m.path("id").asText()) && "user".equals(m.path("role").asText()));
                    problem(ex, off ? 409 : 400, off ? "The message is not on the branch shown." : "Not a user message of this session.");
                    return;
                }
                user = body.hasNonNull("regenerate_of") ? on : newUser(s, body, cmid, on);
                leaveBranch(s, user.path("seq").asLong() + 1);
                s.userOf.put(cmid, user);
                s.answerOf.put(cmid, body.path("answer_id").asText());
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

    private static ObjectNode onBranch(Session s, String id) {
        return s.messages.stream().filter(m -> id.equals(m.path("id").asText()) && "user".equals(m.path("role").asText()))
                .findFirst().orElse(null);
    }

    /** A new user message; as the next version of {@code edited} (which leaves the branch with all after it). */
    private static ObjectNode newUser(Session s, JsonNode body, String cmid, ObjectNode edited) {
        int versions = 1;
        String group = null;
        if (edited != null) {
            leaveBranch(s, edited.path("seq").asLong());
            group = edited.path("group").asText();
            String g = group;
            List<ObjectNode> siblings = new ArrayList<>(s.off.stream().filter(m -> g.equals(m.path("group").asText(null))).toList());
            versions = siblings.size() + 1;
            siblings.forEach(m -> m.put("versions", siblings.size() + 1));
        }
        ObjectNode user = message(s, "user", body.path("content").asText(), cmid);
        user.put("group", group != null ? group : user.path("id").asText());
        user.put("version", versions);
        user.put("versions", versions);
        s.messages.add(user);
        if (s.title == null) {
            String t = body.path("content").asText();
            s.title = t.length() > 40 ? t.substring(0, 40) : t;
        }
        return user;
    }

    /** The messages from {@code seq} on leave the branch shown. */
    private static void leaveBranch(Session s, long seq) {
        List<ObjectNode> gone = s.messages.stream().filter(m -> m.path("seq").asLong() >= seq).toList();
        s.messages.removeAll(gone);
        s.off.addAll(gone);
    }

    private static void problem(HttpExchange ex, int status, String detail) throws IOException {
        FakeSessionService.send(ex, status, FakeSessionService.JSON.createObjectNode().put("status", status).put("detail", detail));
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
