package io.chatplatform.auth;

import io.quarkus.mailer.MockMailbox;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static io.chatplatform.auth.TestSupport.*;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The local stack (auth.mail.log-links=true) prints the link and code so a person can sign in from the console. */
@QuarkusTest
@TestProfile(LocalConsoleLinkTest.LogLinks.class)
class LocalConsoleLinkTest {

    public static class LogLinks implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("auth.mail.log-links", "true");
        }
    }

    @Inject
    MockMailbox mailbox;

    @Test
    void linkAndCodeAreOnTheConsole() {
        try (LogCapture log = LogCapture.start()) {
            Mailed m = requestLink(mailbox, email(), ip());
            assertTrue(log.lines.stream().anyMatch(l -> l.contains("INFO") && l.contains(m.link()) && l.contains(m.code())),
                    String.join("\n", log.lines));
        }
    }
}
