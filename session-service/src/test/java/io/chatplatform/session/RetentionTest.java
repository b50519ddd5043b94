package io.chatplatform.session;

import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static io.chatplatform.session.Api.append;
import static io.chatplatform.session.Api.createSession;
import static io.chatplatform.session.Tokens.as;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The test profile sets sessions.retention.days=30, batch-size=3 and the schedule off; the job is run
 * directly, so 7+ idle sessions take several batches (transactions).
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
