package io.chatplatform.chat;

import java.nio.file.Path;
import java.util.Map;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * Configuration of the packaged service under {@link ChatIT}: it runs in the prod profile, so what %test would set
 * is passed here as -D options (the stand-in model and the fake session-service come from their own resources).
 */
public class ChatItConfig implements QuarkusTestResourceLifecycleManager {

    @Override
    public Map<String, String> start() {
        Path classes = Path.of(System.getProperty("user.dir"), "target", "test-classes");
        return Map.of(
                "mp.jwt.verify.publickey.location", classes.resolve("publicKey.pem").toString(),
                "quarkus.redis.hosts", "redis://127.0.0.1:6379",
                "platform.user-events.consumer", "chat-service-it",
                "quarkus.log.console.json.enabled", "false");
    }

    @Override
    public void stop() {
    }
}
