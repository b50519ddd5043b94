package io.chatplatform.auth;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Map;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * Configuration of the packaged service under {@link AuthIT}. It runs in the prod profile, so what %test would set
 * is passed here as -D options: the test-only keys, the mock mailer with the link logged (as the local stack does),
 * and its own database (chat_auth_it, created when missing), apart from the @QuarkusTests' chat_auth_test.
 */
public class AuthItConfig implements QuarkusTestResourceLifecycleManager {

    static final String DB = "chat_auth_it";
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
        Path keys = Path.of(System.getProperty("user.dir"), "target", "test-classes", "test-keys");
        return Map.ofEntries(
                Map.entry("quarkus.datasource.jdbc.url", PG + DB),
                Map.entry("quarkus.redis.hosts", "redis://127.0.0.1:6379"),
                Map.entry("auth.signing-key", keys.resolve("test-only-signing-key.pem").toString()),
                Map.entry("auth.previous-public-key", keys.resolve("test-only-previous-key.pub.pem").toString()),
                Map.entry("mp.jwt.verify.publickey.location", keys.resolve("test-only-jwks.json").toString()),
                Map.entry("auth.public-base-url", "https://chat.example.test"),
                Map.entry("auth.cookie.secure", "false"),
                Map.entry("auth.mail.log-links", "true"),
                Map.entry("quarkus.mailer.mock", "true"),
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
