package io.chatplatform.chat;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;

/** A tool result longer than chat.tool-result-max-chars (120 here) reaches the model cut, with a marker. */
@QuarkusTest
@TestProfile(TunedProfile.class)
class ToolResultCapTest extends ChatTestSupport {

    @Test
    void longToolResultsAreCutWithATruncationMarker() {
        String user = newUser();
        FakeSessionService.seed(user, "long", "capybara7 " + "filler ".repeat(60) + "TAILMARK");
        // the stand-in quotes the first 300 characters of the tool message: all of a 120-character result
        chat(user, Map.of("message", "search my history for capybara7")).then().statusCode(200)
                .body("tool_calls[0].tool", equalTo("search_history"))
                .body("response", containsString("capybara7 filler"))
                .body("response", containsString("[truncated] </tool_result>"))
                .body("response", not(containsString("TAILMARK")));
    }
}
