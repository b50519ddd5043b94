package io.chatplatform.auth;

import io.quarkus.mailer.MockMailbox;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import static io.chatplatform.auth.TestSupport.*;
import static org.junit.jupiter.api.Assertions.assertFalse;

/** Outside the local stack no link, code or token ever reaches the log, whatever happens to the login. */
@QuarkusTest
class MailLoggingTest {

    @Inject
    MockMailbox mailbox;

    @Test
    void noSecretIsLogged() {
        try (LogCapture log = LogCapture.start()) {
            String email = email();
            String ip = ip();
            Mailed m = requestLink(mailbox, email, ip);
            verifyToken(m.token(), null, ip); // 409 peek
            Signed s = login(mailbox, email);
            io.restassured.RestAssured.given().cookie(REFRESH, s.refreshToken()).post("/api/auth/refresh");
            io.restassured.RestAssured.given().cookie(REFRESH, s.refreshToken()).post("/api/auth/refresh");
            for (String secret : new String[] {m.token(), m.code(), m.nonce(), s.refreshToken(), s.accessToken(), email}) {
                assertFalse(log.contains(secret), "logged: " + secret);
            }
            assertFalse(log.contains("#token="));
        }
    }
}
