package io.chatplatform.chat;

import io.quarkus.test.junit.QuarkusTestProfile;

import java.util.List;
import java.util.Map;

/**
 * An app instance of its own with a Redis of its own: its metrics move only with the turns of the tests that use
 * this profile (each awaits the end of its turns), so they can assert exact deltas.
 */
public class PrivateRedisProfile implements QuarkusTestProfile {

    /** These tests are about the answer's storage, not model timeouts: a cold, loaded machine must not fail them. */
    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("chat.first-token-timeout", "15s", "chat.idle-timeout", "15s");
    }

    @Override
    public List<TestResourceEntry> testResources() {
        return List.of(new TestResourceEntry(PrivateRedisResource.class));
    }
}
