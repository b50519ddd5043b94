package io.chatplatform.auth;

import io.quarkus.mailer.MockMailbox;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;

import static io.chatplatform.auth.TestSupport.*;
import static org.junit.jupiter.api.Assertions.*;

/** A failing login transaction must not burn the magic link or code: it is consumed only once the login committed. */
@QuarkusTest
class LoginDurabilityTest {

    @Inject
    MockMailbox mailbox;

    @Inject
    DataSource db;

    /**
     * PostgreSQL refuses the login's writes for a moment, as a failover or a full disk would: another
     * connection installs a trigger that fails every new refresh family, then removes it.
     */
    private void failingLogins(Runnable during) throws SQLException {
        try (Connection c = db.getConnection(); Statement s = c.createStatement()) {
            s.execute("""
                    create or replace function test_refuse_login() returns trigger language plpgsql as $$
                    begin raise exception 'database unavailable (test)'; end $$""");
            s.execute("create trigger test_refuse_login before insert on refresh_families "
                    + "for each row execute function test_refuse_login()");
            try {
                during.run();
            } finally {
                s.execute("drop trigger test_refuse_login on refresh_families");
            }
        }
    }

    @Test
    void aLinkSurvivesAFailedLoginTransaction() throws SQLException {
        String email = email();
        String ip = ip();
        Mailed m = requestLink(mailbox, email, ip);
        failingLogins(() -> {
            Response failed = verifyToken(m.token(), m.nonce(), ip);
            assertTrue(failed.statusCode() >= 500, failed.statusCode() + " " + failed.asString());
            assertTrue(failed.contentType().startsWith("application/problem+json"), failed.contentType());
        });
        Response ok = verifyToken(m.token(), m.nonce(), ip);
        assertEquals(200, ok.statusCode(), "the same link signs in once the database is back: " + ok.asString());
        assertEquals(email, ok.path("user.email"));
        assertEquals(401, verifyToken(m.token(), m.nonce(), ip).statusCode(), "and it stays single-use");
    }

    @Test
    void aCodeSurvivesAFailedLoginTransaction() throws SQLException {
        String email = email();
        String ip = ip();
        Mailed m = requestLink(mailbox, email, ip);
        failingLogins(() -> {
            Response failed = from(ip).cookie(NONCE, m.nonce()).body(Map.of("code", m.code()))
                    .post("/api/auth/verify");
            assertTrue(failed.statusCode() >= 500, failed.statusCode() + " " + failed.asString());
        });
        Response ok = from(ip).cookie(NONCE, m.nonce()).body(Map.of("code", m.code())).post("/api/auth/verify");
        assertEquals(200, ok.statusCode(), ok.asString());
        assertEquals(401, from(ip).cookie(NONCE, m.nonce()).body(Map.of("code", m.code()))
                .post("/api/auth/verify").statusCode(), "single-use");
    }
}
