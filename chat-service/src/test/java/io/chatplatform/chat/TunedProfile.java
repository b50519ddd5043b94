package io.chatplatform.chat;

import io.quarkus.test.junit.QuarkusTestProfile;

import java.util.Map;

/**
 * One app instance for the tests that need settings other than the test profile's: a first-token timeout long
 * enough to cancel inside it, and a tool-result cap small enough to show up in what the stand-in quotes back.
 */
public class TunedProfile implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("chat.first-token-timeout", "8s", "chat.tool-result-max-chars", "120");
    }
}
