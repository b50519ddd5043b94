package io.chatplatform.chat;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** chat_tool_calls_total{tool,outcome}, read in an app instance whose turns are only this profile's tests' own. */
@QuarkusTest
@TestProfile(PrivateRedisProfile.class)
class ToolMetricsTest extends ChatTestSupport {

    @Test
    void toolCallsAreCountedByToolAndOutcome() {
        double ok = metric("chat_tool_calls_total", "tool=\"list_sessions\"", "outcome=\"ok\"");
        double error = metric("chat_tool_calls_total", "tool=\"current_time\"", "outcome=\"error\"");
        chat(newUser(), Map.of("message", "list my sessions")).then().statusCode(200);
        chat(newUser(), Map.of("message", "what time is it in Mars/Olympus")).then().statusCode(200);
        assertEquals(ok + 1, metric("chat_tool_calls_total", "tool=\"list_sessions\"", "outcome=\"ok\""));
        assertEquals(error + 1, metric("chat_tool_calls_total", "tool=\"current_time\"", "outcome=\"error\""));
    }
}
