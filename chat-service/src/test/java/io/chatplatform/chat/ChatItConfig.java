package io.chatplatform.chat;

import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.smallrye.jwt.build.Jwt;
import io.smallrye.jwt.util.KeyUtils;

/**
 * Configuration of the packaged service under {@link ChatIT}: it runs in the prod profile, so what %test would set
 * is passed here as -D options (the stand-in model and the fake session-service come from their own resources).
 */
public class ChatItConfig implements QuarkusTestResourceLifecycleManager {

    /** An access token as auth-service issues it, signed here with the test key (no test-profile config here). */
    static String token(String user) {
        try {
            return Jwt.issuer("chat-platform").audience("chat-platform").subject(user)
                    .upn(user + "@example.test").groups("user").claim("jti", UUID.randomUUID().toString())
                    .expiresIn(900).jws().keyId("test-key").header("typ", "at+jwt")
                    .sign(KeyUtils.readPrivateKey("privateKey.pem"));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** The packaged app's management interface (health, metrics) on a free port: other modules' ITs may run alongside. */
    static final int MANAGEMENT_PORT = LlmStubResource.freePort();

    @Override
    public Map<String, String> start() {
        Path classes = Path.of(System.getProperty("user.dir"), "target", "test-classes");
        return Map.of(
                "mp.jwt.verify.publickey.location", classes.resolve("publicKey.pem").toString(),
                "quarkus.redis.hosts", "redis://127.0.0.1:6379",
                "platform.user-events.consumer", "chat-service-it",
                "quarkus.management.port", Integer.toString(MANAGEMENT_PORT),
                "quarkus.log.console.json.enabled", "false");
    }

    @Override
    public void stop() {
    }
}
