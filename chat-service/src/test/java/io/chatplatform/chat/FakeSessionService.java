package io.chatplatform.chat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;

/**
 * An in-memory session-service speaking the DESIGN.md routes, enforcing ownership by the JWT's {@code sub}
 * (someone else's session is a 404, search only sees the caller's messages), so scoping tests mean something.
 * The token's signature is chat-service's business; here only the subject and the expiry are read. The turn routes
 * follow the session-service contract: {@code POST .../turns} and {@code PUT .../answers/{id}} with the write grant
 * (every answer write is logged in {@link #ANSWER_WRITES}).
 */
public class FakeSessionService implements QuarkusTestResourceLifecycleManager {

    static final ObjectMapper JSON = new ObjectMapper();
    static volatile boolean down;
    static final Map<String, Session> SESSIONS = new ConcurrentHashMap<>();
    /** write_grant -> "sessionId|answerId" */
    static final Map<String, String> GRANTS = new ConcurrentHashMap<>();
    /** Every answer write that reached the fake, in order (also the refused ones). */
    static final List<AnswerWrite> ANSWER_WRITES = new java.util.concurrent.CopyOnWriteArrayList<>();
    static final int MAX_CONTENT_BYTES = 256 * 1024;

    /** One {@code PUT .../answers/{id}}: its Authorization header, its body and the status it got. */
    public record AnswerWrite(String sessionId, String answerId, String authorization, JsonNode body, int status) {
    }

    /** The writes of one answer, in order. */
    public static List<AnswerWrite> writesOf(String answerId) {
        return ANSWER_WRITES.stream().filter(w -> w.answerId().equals(answerId)).toList();
    }
    private HttpServer server;

    public static final class Session {
        final String id = UUID.randomUUID().toString();
        final String owner;
        volatile String title;
        /** The branch shown, in seq order. */
        final List<ObjectNode> messages = new ArrayList<>();
        /** Messages an edit or a regenerate took off the branch shown. */
        final List<ObjectNode> off = new ArrayList<>();
        /** client_message_id of a turn -> its answer id, and -> the user message it answers */
        final Map<String, String> answerOf = new HashMap<>();
        final Map<String, ObjectNode> userOf = new HashMap<>();
        /** Every begin-turn body the session got, in order. */
        final List<JsonNode> begun = new java.util.concurrent.CopyOnWriteArrayList<>();

        Session(String owner, String title) {
            this.owner = owner;
            this.title = title;
        }

        ObjectNode json() {
            ObjectNode n = JSON.createObjectNode();
            n.put("id", id);
            n.put("title", title);
            n.put("created_at", Instant.now().toString());
            n.put("updated_at", Instant.now().toString());
            n.put("message_count", messages.size());
            return n;
        }
    }

    /** Messages stored in a session (copies), for assertions. */
    public static List<JsonNode> messages(String sessionId) {
        Session s = SESSIONS.get(sessionId);
        if (s == null) {
            return List.of();
        }
        synchronized (s) {
            return new ArrayList<>(s.messages);
        }
    }

    /** The begin-turn bodies a session got, in order. */
    public static List<JsonNode> beginBodies(String sessionId) {
        Session s = SESSIONS.get(sessionId);
        return s == null ? List.of() : List.copyOf(s.begun);
    }

    public static long sessionsOf(String userId) {
        return SESSIONS.values().stream().filter(s -> s.owner.equals(userId)).count();
    }

    /** Seeds a session with messages for a user, without going through chat-service. */
    public static String seed(String userId, String title, String... userTexts) {
        Session s = new Session(userId, title);
        for (String t : userTexts) {
            ObjectNode m = JSON.createObjectNode();
            m.put("id", UUID.randomUUID().toString());
            m.put("session_id", s.id);
            m.put("seq", s.messages.size() + 1);
            m.put("role", "user");
            m.put("content", t);
            s.messages.add(m);
        }
        SESSIONS.put(s.id, s);
        return s.id;
    }

    @Override
    public Map<String, String> start() {
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        server.setExecutor(Executors.newFixedThreadPool(8));
        server.createContext("/api/", ex -> {
            try {
                handle(ex);
            } catch (Exception e) {
                send(ex, 500, JSON.createObjectNode().put("title", "fake failed: " + e));
            }
        });
        server.start();
        return Map.of("quarkus.rest-client.session-service.url", "http://127.0.0.1:" + server.getAddress().getPort());
    }

    @Override
    public void stop() {
        if (server != null) {
            server.stop(0);
        }
    }

    private void handle(HttpExchange ex) throws IOException {
        String method = ex.getRequestMethod();
        String path = ex.getRequestURI().getPath();
        String[] parts = path.split("/"); // "", "api", "sessions", id, "messages"
        if (parts.length == 6 && parts[4].equals("answers") && method.equals("PUT")) {
            FakeTurns.putAnswer(ex, parts[3], parts[5]); // logged, also while down
            return;
        }
        if (down) {
            send(ex, 503, JSON.createObjectNode().put("title", "Service Unavailable"));
            return;
        }
        String user = subject(ex.getRequestHeaders().getFirst("Authorization"));
        if (user == null) {
            send(ex, 401, JSON.createObjectNode().put("title", "Unauthorized"));
            return;
        }
        Map<String, String> q = query(ex.getRequestURI().getRawQuery());
        if (path.equals("/api/search") && method.equals("GET")) {
            String term = q.getOrDefault("q", "").toLowerCase();
            ArrayNode items = JSON.createArrayNode();
            for (Session s : SESSIONS.values()) {
                if (!s.owner.equals(user)) {
                    continue;
                }
                synchronized (s) {
                    for (ObjectNode m : s.messages) {
                        if (m.path("content").asText().toLowerCase().contains(term)) {
                            ObjectNode h = JSON.createObjectNode();
                            h.put("message_id", m.path("id").asText());
                            h.put("session_id", s.id);
                            h.put("session_title", s.title);
                            h.put("seq", m.path("seq").asLong());
                            h.put("role", m.path("role").asText());
                            h.put("snippet", snippet(m.path("content").asText(), term));
                            items.add(h);
                        }
                    }
                }
            }
            send(ex, 200, JSON.createObjectNode().put("query", term).set("items", items));
            return;
        }
        if (parts.length == 3 && parts[2].equals("sessions")) {
            if (method.equals("POST")) {
                JsonNode body = body(ex);
                Session s = new Session(user, body.hasNonNull("title") ? body.get("title").asText() : null);
                SESSIONS.put(s.id, s);
                send(ex, 201, s.json());
            } else {
                ArrayNode items = JSON.createArrayNode();
                SESSIONS.values().stream().filter(s -> s.owner.equals(user)).forEach(s -> items.add(s.json()));
                send(ex, 200, JSON.createObjectNode().set("items", items));
            }
            return;
        }
        Session s = parts.length >= 4 ? SESSIONS.get(parts[3]) : null;
        if (s == null || !s.owner.equals(user)) {
            send(ex, 404, JSON.createObjectNode().put("title", "Not Found"));
            return;
        }
        if (parts.length == 4 && method.equals("GET")) {
            send(ex, 200, s.json());
            return;
        }
        if (parts.length == 5 && parts[4].equals("turns") && method.equals("POST")) {
            FakeTurns.beginTurn(ex, s);
            return;
        }
        if (parts.length == 5 && parts[4].equals("messages")) {
            synchronized (s) {
                if (method.equals("GET")) {
                    long after = Long.parseLong(q.getOrDefault("after_seq", "0"));
                    int limit = Integer.parseInt(q.getOrDefault("limit", "50"));
                    ArrayNode items = JSON.createArrayNode();
                    s.messages.stream().filter(m -> m.path("seq").asLong() > after).limit(limit).forEach(items::add);
                    send(ex, 200, JSON.createObjectNode().set("items", items));
                    return;
                }
                send(ex, 405, JSON.createObjectNode().put("title", "chat-service writes through the turn routes"));
                return;
            }
        }
        send(ex, 404, JSON.createObjectNode().put("title", "Not Found"));
    }

    /** Like session-service's ts_headline snippet: the text HTML-escaped, matches wrapped in {@code <mark>}. */
    static String snippet(String content, String term) {
        StringBuilder out = new StringBuilder();
        String lower = content.toLowerCase();
        int i = 0;
        while (i < content.length()) {
            if (!term.isEmpty() && lower.startsWith(term, i)) {
                out.append("<mark>").append(escape(content.substring(i, i + term.length()))).append("</mark>");
                i += term.length();
            } else {
                out.append(escape(content.substring(i, i + 1)));
                i++;
            }
        }
        return out.toString();
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;").replace("'", "&#39;");
    }

    static JsonNode body(HttpExchange ex) throws IOException {
        byte[] b = ex.getRequestBody().readAllBytes();
        return b.length == 0 ? JSON.createObjectNode() : JSON.readTree(b);
    }

    private static String subject(String auth) {
        if (auth == null || !auth.startsWith("Bearer ")) {
            return null;
        }
        String[] jwt = auth.substring(7).split("\\.");
        try {
            JsonNode claims = JSON.readTree(Base64.getUrlDecoder().decode(jwt[1]));
            // like session-service: an expired access token is refused (the answer is written with the grant)
            if (claims.path("exp").asLong() * 1000 < System.currentTimeMillis()) {
                return null;
            }
            return claims.path("sub").asText(null);
        } catch (Exception e) {
            return null;
        }
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> q = new HashMap<>();
        if (raw != null) {
            for (String kv : raw.split("&")) {
                int i = kv.indexOf('=');
                if (i > 0) {
                    q.put(kv.substring(0, i), URLDecoder.decode(kv.substring(i + 1), StandardCharsets.UTF_8));
                }
            }
        }
        return q;
    }

    static void send(HttpExchange ex, int status, JsonNode body) throws IOException {
        byte[] b = JSON.writeValueAsBytes(body);
        ex.getResponseHeaders().add("Content-Type", "application/json");
        ex.sendResponseHeaders(status, b.length);
        ex.getResponseBody().write(b);
        ex.close();
    }
}
