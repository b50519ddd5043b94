package io.chatplatform.auth;

import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A replica of the release before starts on a schema a newer release has migrated (a rollout or a rollback): the
 * migration it does not know is ignored, not a reason to refuse to start. Validation is what the start runs before
 * migrating, with the same configuration.
 */
@QuarkusTest
class FutureMigrationsTest {

    @Inject
    Flyway flyway;

    @Inject
    DataSource dataSource;

    @Test
    void aMigrationOfANewerReleaseDoesNotFailValidation() throws SQLException {
        int rank;
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement();
             var rs = s.executeQuery("SELECT max(installed_rank) + 1 FROM flyway_schema_history")) {
            rs.next();
            rank = rs.getInt(1);
            s.executeUpdate("INSERT INTO flyway_schema_history (installed_rank, version, description, type, script, checksum,"
                    + " installed_by, execution_time, success) VALUES (" + rank + ", '9999', 'of a newer release', 'SQL',"
                    + " 'V9999__of_a_newer_release.sql', 0, 'test', 1, true)");
        }
        try {
            var result = flyway.validateWithResult();
            assertTrue(result.validationSuccessful, () -> "validation refused a newer release's migration: "
                    + result.getAllErrorMessages());
        } finally {
            try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
                s.executeUpdate("DELETE FROM flyway_schema_history WHERE installed_rank = " + rank);
            }
        }
    }
}
