package io.chatplatform.chat;

import io.quarkus.test.junit.QuarkusTestProfile;

import java.util.Map;

/** chat-service with its Redis pointing at a port where nothing listens. */
public class RedisDownProfile implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("quarkus.redis.hosts", "redis://127.0.0.1:" + LlmStubResource.freePort(),
                "quarkus.redis.timeout", "2s");
    }
}
