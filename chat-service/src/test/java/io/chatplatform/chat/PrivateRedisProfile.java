package io.chatplatform.chat;

import io.quarkus.test.junit.QuarkusTestProfile;

import java.util.List;

/**
 * An app instance of its own with a Redis of its own: its metrics move only with the turns of the tests that use
 * this profile (each awaits the end of its turns), so they can assert exact deltas.
 */
public class PrivateRedisProfile implements QuarkusTestProfile {
    @Override
    public List<TestResourceEntry> testResources() {
        return List.of(new TestResourceEntry(PrivateRedisResource.class));
    }
}
