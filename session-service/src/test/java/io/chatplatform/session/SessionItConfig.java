package io.chatplatform.session;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Map;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * Configuration of the packaged service under {@link SessionIT}. It runs in the prod profile, so what %test would
 * set is passed here as -D options. Its own database (chat_sessions_it, created when missing): the @QuarkusTests
 * clean chat_sessions_test at start, which must not happen under a running process; its own Redis stream names,
 * so it never consumes a running stack's user events.
 */
public class SessionItConfig implements QuarkusTestResourceLifecycleManager {

    static final String DB = "chat_sessions_it";
    static final String PG = "jdbc:postgresql://127.0.0.1:5432/";

    /** The packaged app's management interface (health, metrics) on a free port: other modules' ITs may run alongside. */
    static final int MANAGEMENT_PORT = freePort();

    static int freePort() {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            return s.getLocalPort();
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public Map<String, String> start() {
        ensureDatabase();
        Path classes = Path.of(System.getProperty("user.dir"), "target", "test-classes");
        return Map.ofEntries(
                Map.entry("quarkus.datasource.jdbc.url", PG + DB),
                Map.entry("quarkus.redis.hosts", "redis://127.0.0.1:6379"),
                Map.entry("mp.jwt.verify.publickey.location", classes.resolve("publicKey.pem").toString()),
                Map.entry("platform.user-events.stream", "it:session-service:user-events"),
                Map.entry("platform.user-events.group", "session-service-it"),
                Map.entry("platform.user-events.dead-letter-stream", "it:session-service:user-events:dead"),
                // a throw-away key: prod requires SESSION_GRANT_KEY, and nothing outlives this run
                Map.entry("sessions.grant-key", java.util.Base64.getEncoder().encodeToString(
                        new java.security.SecureRandom().generateSeed(32))),
                Map.entry("quarkus.management.port", Integer.toString(MANAGEMENT_PORT)),
                Map.entry("quarkus.log.console.json.enabled", "false"));
    }

    static void ensureDatabase() {
        String user = System.getenv().getOrDefault("QUARKUS_DATASOURCE_USERNAME", "postgres");
        String password = System.getenv().getOrDefault("QUARKUS_DATASOURCE_PASSWORD", "");
        try (Connection c = DriverManager.getConnection(PG + "postgres", user, password);
             var exists = c.prepareStatement("SELECT 1 FROM pg_database WHERE datname = ?")) {
            exists.setString(1, DB);
            if (!exists.executeQuery().next()) {
                try (var create = c.createStatement()) {
                    create.execute("CREATE DATABASE " + DB);
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot reach or create the database " + DB, e);
        }
    }

    @Override
    public void stop() {
    }
}
