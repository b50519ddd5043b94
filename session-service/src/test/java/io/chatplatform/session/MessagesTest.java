package io.chatplatform.session;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;

import static io.chatplatform.session.Api.append;
import static io.chatplatform.session.Api.createSession;
import static io.chatplatform.session.Api.exchange;
import static io.chatplatform.session.Tokens.as;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;

@QuarkusTest
class MessagesTest {

    @jakarta.inject.Inject
    javax.sql.DataSource db;

    /**
     * Another replica appending at the same moment: a plain JDBC transaction takes the session row
     * lock the way the service does and holds it. The HTTP append must wait for it (the lock lives in
     * PostgreSQL, not in this JVM) and then take the next seq.
     */
    @Test
    void appendsFromAnotherReplicaAreSerialisedByTheDatabase() throws Exception {
        UUID me = UUID.randomUUID();
        String sid = createSession(me, "replicas");
        append(me, sid, "user", "one");
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try (java.sql.Connection other = db.getConnection()) {
            other.setAutoCommit(false);
            try (var lock = other.prepareStatement("SELECT message_count FROM sessions WHERE id = ?::uuid FOR UPDATE");
                 var bump = other.prepareStatement("UPDATE sessions SET message_count = message_count + 1 WHERE id = ?::uuid RETURNING message_count");
                 var insert = other.prepareStatement("""
                         INSERT INTO messages (id, session_id, seq, role, content, created_at)
                         VALUES (gen_random_uuid(), ?::uuid, ?, 'assistant', 'from replica B', now())""")) {
                lock.setString(1, sid);
                lock.executeQuery().close();
                bump.setString(1, sid);
                var rs = bump.executeQuery();
                rs.next();
                long seq = rs.getLong(1);
                assertEquals(2, seq);
                insert.setString(1, sid);
                insert.setLong(2, seq);
                insert.executeUpdate();

                Future<Integer> ours = pool.submit(() -> append(me, sid, "user", "from replica A"));
                Thread.sleep(700);
                org.junit.jupiter.api.Assertions.assertFalse(ours.isDone(), "waits for the other replica's transaction");
                other.commit();
                assertEquals(3, ours.get(10, java.util.concurrent.TimeUnit.SECONDS));
            }
        } finally {
            pool.shutdownNow();
        }
        as(me).get("/api/sessions/" + sid + "/messages").then()
                .body("items.seq", contains(1, 2, 3))
                .body("items.content", contains("one", "from replica B", "from replica A"));
    }

    /**
     * Appends that waited for the session's lock (held here by another transaction, as a writer on another
     * replica would hold it) must see what committed while they waited: a twin with the same client id is
     * answered (200), not inserted again (a unique violation, 500), and each message follows the one committed
     * just before it. Three requests wait at once: two twins and one other message.
     */
    @Test
    void appendsThatWaitedForTheLockSeeWhatCommittedMeanwhile() throws Exception {
        UUID me = UUID.randomUUID();
        String sid = createSession(me, "waiters");
        append(me, sid, "user", "one");
        ExecutorService pool = Executors.newFixedThreadPool(3);
        List<Future<Response>> sent = new ArrayList<>();
        try (java.sql.Connection other = db.getConnection()) {
            other.setAutoCommit(false);
            try (var lock = other.prepareStatement("SELECT 1 FROM sessions WHERE id = ?::uuid FOR UPDATE")) {
                lock.setString(1, sid);
                lock.executeQuery().close();
                for (String client : List.of("t-1", "t-1", "u-1")) {
                    sent.add(pool.submit(() -> as(me).body(Map.of("role", "user", "content", "from " + client,
                            "client_message_id", client)).post("/api/sessions/" + sid + "/messages")));
                }
                org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(20))
                        .until(() -> lockWaiters() >= 3);
                other.commit();
            }
            List<Integer> statuses = new ArrayList<>();
            for (Future<Response> f : sent) {
                statuses.add(f.get(20, java.util.concurrent.TimeUnit.SECONDS).statusCode());
            }
            assertEquals(List.of(200, 201, 201), statuses.stream().sorted().toList(), "the twin found, not duplicated");
            assertEquals(sent.get(0).get().<String>path("id"), sent.get(1).get().<String>path("id"));
        } finally {
            pool.shutdownNow();
        }
        Response history = as(me).get("/api/sessions/" + sid + "/messages");
        List<String> ids = history.path("items.id");
        List<String> parents = history.path("items.parent_id");
        assertEquals(3, ids.size());
        assertEquals(ids.subList(0, 2), parents.subList(1, 3), "each message follows the one before it");
    }

    /** Sessions of this database waiting for a lock: this test's appends, behind the transaction it holds. */
    private int lockWaiters() throws java.sql.SQLException {
        try (java.sql.Connection c = db.getConnection();
             var ps = c.prepareStatement("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                     + "AND wait_event_type = 'Lock'");
             var rs = ps.executeQuery()) {
            rs.next();
            return rs.getInt(1);
        }
    }

    @Test
    void appendAssignsSeqAndKeepsMetadataVerbatim() {
        UUID me = UUID.randomUUID();
        String sid = createSession(me, "kept title");
        as(me).body(Map.of("role", "user", "content", "What is the weather?", "client_message_id", "c-1"))
                .post("/api/sessions/" + sid + "/messages").then().statusCode(201)
                .header("Location", notNullValue())
                .body("seq", equalTo(1)).body("role", equalTo("user"))
                .body("session_id", equalTo(sid)).body("client_message_id", equalTo("c-1"))
                .body("metadata", nullValue()).body("session_title", equalTo("kept title"));
        String meta = """
                {"metadata":{"model":"m-1","usage":{"prompt_tokens":12,"completion_tokens":3},
                 "latency_ms":420,"ttft_ms":80,"tool_calls":[{"tool":"weather","ok":true}],"cancelled":false}}""";
        as(me).body(Map.of("role", "user", "content", "And tomorrow?", "client_message_id", "c-2", "metadata",
                        io.restassured.path.json.JsonPath.from(meta).getMap("metadata")))
                .post("/api/sessions/" + sid + "/messages").then().statusCode(201)
                .body("seq", equalTo(2))
                .body("metadata.model", equalTo("m-1"))
                .body("metadata.usage.completion_tokens", equalTo(3))
                .body("metadata.tool_calls[0].tool", equalTo("weather"));

        as(me).get("/api/sessions/" + sid).then().body("message_count", equalTo(2))
                .body("last_message_at", notNullValue()).body("title", equalTo("kept title"));
        as(me).get("/api/sessions/" + sid + "/messages").then().statusCode(200)
                .body("items.seq", contains(1, 2))
                .body("items[1].metadata.latency_ms", equalTo(420))
                .body("items[1].metadata.cancelled", equalTo(false))
                .body("next_after_seq", nullValue());
    }

    /** The model's side of a conversation is written only by chat-service with its write grant. */
    @Test
    void browsersMayAppendOnlyUserMessages() {
        UUID me = UUID.randomUUID();
        String sid = createSession(me, null);
        for (String role : List.of("assistant", "system", "tool")) {
            as(me).body(Map.of("role", role, "content", "I am the model and I say so.", "client_message_id", "forged-" + role))
                    .post("/api/sessions/" + sid + "/messages").then().statusCode(403)
                    .contentType("application/problem+json").body("status", equalTo(403))
                    .body("detail", org.hamcrest.Matchers.containsString("user"));
        }
        as(me).get("/api/sessions/" + sid + "/messages").then().statusCode(200).body("items", hasSize(0));
        as(me).get("/api/sessions/" + sid).then().body("message_count", equalTo(0)).body("title", nullValue());
        // a forged id is not reserved either: the user's own message may take it
        as(me).body(Map.of("role", "user", "content", "hello", "client_message_id", "forged-assistant"))
                .post("/api/sessions/" + sid + "/messages").then().statusCode(201).body("role", equalTo("user"));
    }

    @Test
    void firstUserMessageTitlesAnUntitledSession() {
        UUID me = UUID.randomUUID();
        String sid = createSession(me, null);
        as(me).get("/api/sessions/" + sid).then().body("title", nullValue());
        String longText = "Could you please help me plan a   three week trip through Portugal and Spain in the spring with kids";
        as(me).body(Map.of("role", "user", "content", longText)).post("/api/sessions/" + sid + "/messages")
                .then().statusCode(201)
                .body("session_title", equalTo("Could you please help me plan a three week trip through…"));
        append(me, sid, "user", "Another question");
        as(me).get("/api/sessions/" + sid).then()
                .body("title", equalTo("Could you please help me plan a three week trip through…"));
    }

    @Test
    void sameClientMessageIdReturnsTheFirstMessage() {
        UUID me = UUID.randomUUID();
        String sid = createSession(me, "idem");
        Map<String, Object> body = Map.of("role", "user", "content", "only once", "client_message_id", "retry-42");
        Response first = as(me).body(body).post("/api/sessions/" + sid + "/messages");
        first.then().statusCode(201);
        Response again = as(me).body(Map.of("role", "user", "content", "different text on retry",
                "client_message_id", "retry-42")).post("/api/sessions/" + sid + "/messages");
        again.then().statusCode(200)
                .body("id", equalTo(first.<String>path("id")))
                .body("seq", equalTo(1))
                .body("content", equalTo("only once"));
        as(me).get("/api/sessions/" + sid).then().body("message_count", equalTo(1));
        as(me).get("/api/sessions/" + sid + "/messages").then().body("items", hasSize(1));
        // the same client id in another session is another message
        String other = createSession(me, "other");
        as(me).body(body).post("/api/sessions/" + other + "/messages").then().statusCode(201).body("seq", equalTo(1));
    }

    @Test
    void fiftyParallelAppendsGetSeqOneToFifty() throws Exception {
        UUID me = UUID.randomUUID();
        String sid = createSession(me, "race");
        String token = Tokens.accessToken(me);
        List<Callable<Integer>> requests = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            int n = i;
            requests.add(() -> io.restassured.RestAssured.given().auth().oauth2(token).contentType("application/json")
                    .body(Map.of("role", "user", "content", "m" + n, "client_message_id", "p-" + n))
                    .post("/api/sessions/" + sid + "/messages").then().statusCode(org.hamcrest.Matchers.anyOf(
                            equalTo(201), equalTo(200))).extract().path("seq"));
        }
        for (int i = 0; i < 5; i++) {
            int n = i;
            // retried requests (a client id already in flight) must not take a seq of their own
            requests.add(() -> io.restassured.RestAssured.given().auth().oauth2(token).contentType("application/json")
                    .body(Map.of("role", "user", "content", "retry " + n, "client_message_id", "p-" + n))
                    .post("/api/sessions/" + sid + "/messages").then().statusCode(org.hamcrest.Matchers.anyOf(
                            equalTo(201), equalTo(200))).extract().path("seq"));
        }
        // one thread per request, all started and waiting, then released at once
        CountDownLatch ready = new CountDownLatch(requests.size());
        CountDownLatch go = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(requests.size());
        try {
            List<Future<Integer>> futures = new ArrayList<>();
            for (Callable<Integer> request : requests) {
                futures.add(pool.submit(() -> {
                    ready.countDown();
                    go.await();
                    return request.call();
                }));
            }
            ready.await();
            go.countDown();
            List<Integer> seqs = new ArrayList<>();
            for (Future<Integer> f : futures) {
                seqs.add(f.get());
            }
            // 55 answers, 50 distinct messages: every retry got its twin's seq
            assertEquals(55, seqs.size());
            assertEquals(IntStream.rangeClosed(1, 50).boxed().toList(), seqs.stream().distinct().sorted().toList());
        } finally {
            pool.shutdownNow();
        }
        List<Integer> stored = as(me).queryParam("limit", 100).get("/api/sessions/" + sid + "/messages")
                .then().statusCode(200).extract().path("items.seq");
        assertEquals(IntStream.rangeClosed(1, 50).boxed().toList(), stored, "gap-free, no duplicates");
        as(me).get("/api/sessions/" + sid).then().body("message_count", equalTo(50));
    }

    @Test
    void historyPagesBySeq() {
        UUID me = UUID.randomUUID();
        String sid = createSession(me, "long");
        for (int i = 1; i <= 12; i += 2) {
            exchange(me, sid, "message " + i, "message " + (i + 1));
        }
        List<Integer> seen = new ArrayList<>();
        Long after = 0L;
        int pages = 0;
        while (after != null) {
            Response page = as(me).queryParam("after_seq", after).queryParam("limit", 5)
                    .get("/api/sessions/" + sid + "/messages");
            page.then().statusCode(200);
            seen.addAll(page.path("items.seq"));
            Number next = page.path("next_after_seq");
            after = next == null ? null : next.longValue();
            pages++;
        }
        assertEquals(3, pages);
        assertEquals(IntStream.rangeClosed(1, 12).boxed().toList(), seen);
        as(me).queryParam("after_seq", 10).get("/api/sessions/" + sid + "/messages").then()
                .body("items.content", contains("message 11", "message 12"));
    }

    @Test
    void exportsMarkdownAndJson() {
        UUID me = UUID.randomUUID();
        String sid = createSession(me, "Lisbon trip: food & sights");
        exchange(me, sid, "Where should I eat?", "Try **pastéis** in Belém.", Map.of("model", "m-2"));

        String md = as(me).queryParam("format", "md").get("/api/sessions/" + sid + "/export").then().statusCode(200)
                .contentType(org.hamcrest.Matchers.startsWith("text/markdown"))
                .header("Content-Disposition", equalTo("attachment; filename=\"session-lisbon-trip-food-sights-"
                        + sid.substring(0, 8) + ".md\""))
                .extract().asString();
        org.junit.jupiter.api.Assertions.assertTrue(md.startsWith("# Lisbon trip: food & sights\n"), md);
        int q = md.indexOf("**User**");
        int a = md.indexOf("**Assistant**");
        org.junit.jupiter.api.Assertions.assertTrue(q > 0 && a > q, md);
        org.junit.jupiter.api.Assertions.assertTrue(md.indexOf("Where should I eat?") > q
                && md.indexOf("Try **pastéis** in Belém.") > a, md);

        as(me).queryParam("format", "json").get("/api/sessions/" + sid + "/export").then().statusCode(200)
                .contentType(org.hamcrest.Matchers.startsWith("application/json"))
                .header("Content-Disposition", endsWith(".json\""))
                .body("session.id", equalTo(sid))
                .body("session.message_count", equalTo(2))
                .body("messages.seq", contains(1, 2))
                .body("messages[1].metadata.model", equalTo("m-2"))
                .body("messages[0].content", equalTo("Where should I eat?"));

        as(me).queryParam("format", "pdf").get("/api/sessions/" + sid + "/export").then().statusCode(400)
                .contentType("application/problem+json");
    }

    @Test
    void exportsStreamAcrossPagesInOrder() {
        // the test profile reads 7 messages per page
        UUID me = UUID.randomUUID();
        String sid = createSession(me, null);
        for (int i = 1; i <= 16; i += 2) {
            exchange(me, sid, "line " + i, "line " + (i + 1));
        }
        as(me).queryParam("format", "json").get("/api/sessions/" + sid + "/export").then().statusCode(200)
                .body("messages.seq", equalTo(IntStream.rangeClosed(1, 16).boxed().toList()))
                .body("messages[15].content", equalTo("line 16"))
                .body("session.title", equalTo("line 1"));
        String md = as(me).get("/api/sessions/" + sid + "/export").then().statusCode(200) // md is the default
                .header("Content-Disposition", equalTo("attachment; filename=\"session-line-1-" + sid.substring(0, 8) + ".md\""))
                .extract().asString();
        int last = -1;
        for (int i = 1; i <= 16; i++) {
            int at = md.indexOf("line " + i + "\n");
            org.junit.jupiter.api.Assertions.assertTrue(at > last, "line " + i + " in order");
            last = at;
        }
    }
}
