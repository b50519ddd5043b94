package io.chatplatform.relay;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * Configuration of the packaged relay under {@link RelayIT}: it runs in the prod profile, so everything the
 * %test profile would set is passed here (as -D options of the launched jar or native executable).
 */
public class RelayItConfig implements QuarkusTestResourceLifecycleManager {

    /** The packaged app's management interface (health, metrics) on a free port: other modules' ITs may run alongside. */
    static final int MANAGEMENT_PORT = TwoRelaysIT.managementPort();

    private final FakeNeighbours neighbours = new FakeNeighbours();

    @Override
    public Map<String, String> start() {
        Map<String, String> config = new HashMap<>(neighbours.start());
        Path classes = Path.of(System.getProperty("user.dir"), "target", "test-classes");
        config.put("mp.jwt.verify.publickey.location", classes.resolve("test-publicKey.pem").toString());
        config.put("relay.allowed-origins", "http://localhost:8080");
        config.put("quarkus.redis.hosts", "redis://127.0.0.1:6379");
        config.put("quarkus.log.console.json.enabled", "false");
        config.put("relay.drain.grace", "200ms");
        config.put("quarkus.management.port", Integer.toString(MANAGEMENT_PORT));
        return config;
    }

    @Override
    public void stop() {
        neighbours.stop();
    }
}
