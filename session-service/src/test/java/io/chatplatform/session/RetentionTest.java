package io.chatplatform.session;

import io.chatplatform.session.retention.RetentionJob;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static io.chatplatform.session.Api.append;
import static io.chatplatform.session.Api.createSession;
import static io.chatplatform.session.Api.exchange;
import static io.chatplatform.session.Tokens.as;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The test profile sets sessions.retention.days=30, batch-size=3 and the schedule off; the job is run
 * directly, so 7+ idle sessions (and sessions of 10 messages) take several batches (transactions).
 */
@QuarkusTest
class RetentionTest {

    @Inject
    RetentionJob job;

    @Inject
    DataSource db;

    @Test
    void deletesSessionsIdleLongerThanTheRetentionInBatches() throws Exception {
        UUID me = UUID.randomUUID();
        List<String> old = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            String sid = createSession(me, "old " + i);
            append(me, sid, "user", "long ago");
            old.add(sid);
        }
        String recent = createSession(me, "recent");
        String borderline = createSession(me, "29 days idle");
        append(me, recent, "user", "today");
        for (String sid : old) {
            backdate(sid, 31);
        }
        backdate(borderline, 29);

        long deleted = job.run();

        assertTrue(deleted >= 7, "deleted " + deleted);
        for (String sid : old) {
            as(me).get("/api/sessions/" + sid).then().statusCode(404);
        }
        as(me).get("/api/sessions/" + recent).then().statusCode(200).body("message_count", equalTo(1));
        as(me).get("/api/sessions/" + borderline).then().statusCode(200);
        assertEquals(0, job.run(), "nothing left to delete");
    }

    @Test
    void anExplicitCutoffDeletesOnlyOlderSessions() throws Exception {
        UUID me = UUID.randomUUID();
        List<String> old = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            String sid = createSession(me, "stale " + i);
            backdate(sid, 400);
            old.add(sid);
        }
        String younger = createSession(me, "half a year");
        backdate(younger, 180);
        // cutoff passed directly: everything idle for more than a year
        long deleted = job.purgeIdleSince(java.time.Instant.now().minus(java.time.Duration.ofDays(365)));
        assertTrue(deleted >= 5);
        for (String sid : old) {
            as(me).get("/api/sessions/" + sid).then().statusCode(404);
        }
        as(me).get("/api/sessions/" + younger).then().statusCode(200);
    }

    /**
     * Statement-level triggers record, per transaction, how many rows each UPDATE/DELETE on sessions and
     * messages touched: the database's own account of how the job split its work.
     */
    @Test
    void noTransactionTouchesMoreThanTheBatchSizeAndActiveSessionsSurvive() throws Exception {
        UUID me = UUID.randomUUID();
        List<String> idle = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            String sid = createSession(me, "long idle " + i);
            for (int k = 0; k < 10; k += 2) {
                exchange(me, sid, "message " + k, "message " + (k + 1));
            }
            idle.add(sid);
        }
        for (int i = 0; i < 4; i++) {
            idle.add(createSession(me, "empty idle " + i));
        }
        String active = createSession(me, "active");
        for (int k = 0; k < 4; k++) {
            append(me, active, "user", "still here " + k);
        }
        String inUse = createSession(me, "idle but being appended to");
        append(me, inUse, "user", "old");
        for (String sid : idle) {
            backdate(sid, 31);
        }
        backdate(inUse, 31);

        sql("""
                CREATE TABLE retention_audit (tx bigint, tbl text, op text, n int);
                CREATE FUNCTION retention_audit_row() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    INSERT INTO retention_audit SELECT txid_current(), TG_TABLE_NAME, TG_OP, count(*) FROM changed;
                    RETURN NULL;
                END $$;
                CREATE TRIGGER audit_messages_delete AFTER DELETE ON messages
                    REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION retention_audit_row();
                CREATE TRIGGER audit_sessions_delete AFTER DELETE ON sessions
                    REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION retention_audit_row();
                CREATE TRIGGER audit_sessions_update AFTER UPDATE ON sessions
                    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION retention_audit_row();
                """);
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try (Connection replica = db.getConnection()) {
            // another request holds the idle session's row (an append in flight): the job skips it
            replica.setAutoCommit(false);
            try (PreparedStatement lock = replica.prepareStatement("SELECT 1 FROM sessions WHERE id = ?::uuid FOR UPDATE")) {
                lock.setString(1, inUse);
                lock.executeQuery().close();
            }
            // a job that waited for the lock would never return: bounded here so that fails instead of hanging
            long deleted = pool.submit(() -> job.run()).get(60, TimeUnit.SECONDS);
            assertEquals(idle.size(), deleted);
            try (PreparedStatement touch = replica.prepareStatement(
                    "UPDATE sessions SET last_activity_at = now() WHERE id = ?::uuid")) {
                touch.setString(1, inUse);
                touch.executeUpdate();
            }
            replica.commit();
        } finally {
            pool.shutdownNow();
            sql("""
                    DROP TRIGGER IF EXISTS audit_messages_delete ON messages;
                    DROP TRIGGER IF EXISTS audit_sessions_delete ON sessions;
                    DROP TRIGGER IF EXISTS audit_sessions_update ON sessions;
                    """);
        }

        for (String sid : idle) {
            as(me).get("/api/sessions/" + sid).then().statusCode(404);
            assertEquals(0, count("SELECT count(*) FROM messages WHERE session_id = '" + sid + "'"));
        }
        as(me).get("/api/sessions/" + active).then().statusCode(200).body("message_count", equalTo(4));
        as(me).get("/api/sessions/" + active + "/messages").then().body("items", hasSize(4));
        as(me).get("/api/sessions/" + inUse).then().statusCode(200).body("message_count", equalTo(1));
        as(me).get("/api/sessions/" + inUse + "/messages").then().body("items", hasSize(1));

        try {
            // every transaction of the run touched at most batch-size (3) rows...
            assertEquals(0, count("SELECT count(*) FROM (SELECT tx FROM retention_audit GROUP BY tx HAVING sum(n) > 3) t"));
            // ...so the 20 messages went in at least 7 transactions, not with their sessions' rows
            assertEquals(20, count("SELECT coalesce(sum(n), 0) FROM retention_audit WHERE tbl = 'messages'"));
            assertTrue(count("SELECT count(DISTINCT tx) FROM retention_audit WHERE tbl = 'messages' AND n > 0") >= 7);
            assertEquals(0, count("""
                    SELECT count(*) FROM retention_audit a JOIN retention_audit b ON a.tx = b.tx
                    WHERE a.tbl = 'messages' AND a.n > 0 AND b.tbl = 'sessions' AND b.n > 0"""),
                    "no transaction deletes messages and sessions together");
            assertEquals(6, count("SELECT sum(n) FROM retention_audit WHERE tbl = 'sessions' AND op = 'DELETE'"));
            assertTrue(count("SELECT count(DISTINCT tx) FROM retention_audit WHERE tbl = 'sessions' AND op = 'DELETE' AND n > 0") >= 2);
        } finally {
            sql("DROP TABLE retention_audit; DROP FUNCTION retention_audit_row();");
        }
        assertEquals(0, job.run(), "the session in use became active again");
        as(me).get("/api/sessions/" + inUse).then().statusCode(200);
    }

    /** A run that died half-way leaves sessions marked retiring: gone for their owner, finished by the next run. */
    @Test
    void aRetiringSessionIsGoneForItsOwnerAndTheNextRunFinishesIt() throws Exception {
        UUID me = UUID.randomUUID();
        String sid = createSession(me, "half deleted");
        for (int k = 0; k < 5; k++) {
            append(me, sid, "user", "retiring words " + k);
        }
        String kept = createSession(me, "kept");
        append(me, kept, "user", "retiring words too");
        sql("UPDATE sessions SET retiring = true WHERE id = '" + sid + "';"
                + "DELETE FROM messages WHERE session_id = '" + sid + "' AND seq <= 2;");

        as(me).get("/api/sessions/" + sid).then().statusCode(404);
        as(me).get("/api/sessions/" + sid + "/messages").then().statusCode(404);
        as(me).body(java.util.Map.of("role", "user", "content", "late")).post("/api/sessions/" + sid + "/messages")
                .then().statusCode(404);
        as(me).body(java.util.Map.of("title", "x")).patch("/api/sessions/" + sid).then().statusCode(404);
        as(me).get("/api/sessions").then().body("items.id", contains(kept));
        as(me).queryParam("q", "retiring").get("/api/search").then().statusCode(200)
                .body("items.session_id", contains(kept));
        assertEquals(3, count("SELECT count(*) FROM messages WHERE session_id = '" + sid + "'"), "no append landed");

        job.run();
        assertEquals(0, count("SELECT count(*) FROM sessions WHERE id = '" + sid + "'"));
        assertEquals(0, count("SELECT count(*) FROM messages WHERE session_id = '" + sid + "'"));
        as(me).get("/api/sessions/" + kept).then().statusCode(200).body("message_count", equalTo(1));
    }

    private void sql(String statements) throws Exception {
        try (Connection c = db.getConnection(); Statement st = c.createStatement()) {
            st.execute(statements);
        }
    }

    private long count(String query) throws Exception {
        try (Connection c = db.getConnection(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(query)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private void backdate(String sid, int days) throws Exception {
        try (Connection c = db.getConnection();
             PreparedStatement ps = c.prepareStatement("""
                     UPDATE sessions SET last_activity_at = now() - make_interval(days => ?),
                            created_at = now() - make_interval(days => ?) WHERE id = ?::uuid""")) {
            ps.setInt(1, days);
            ps.setInt(2, days);
            ps.setString(3, sid);
            assertEquals(1, ps.executeUpdate());
        }
    }
}
