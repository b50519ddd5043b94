package io.chatplatform.chat;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;

/** search_knowledge reads the Markdown folder given by chat.knowledge.path instead of the bundled samples. */
@QuarkusTest
@TestProfile(KnowledgeFolderTest.Folder.class)
class KnowledgeFolderTest extends ChatTestSupport {

    public static class Folder implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("chat.knowledge.path", "src/test/resources/knowledge-test");
        }
    }

    @Test
    void configuredFolderIsSearchedAndRankedBySection() {
        chat(newUser(), Map.of("message", "search the knowledge base for aardvarks")).then().statusCode(200)
                .body("tool_calls[0].tool", equalTo("search_knowledge"))
                .body("response", containsString("Pet policy"))
                .body("response", not(containsString("Bicycles")));
        chat(newUser(), Map.of("message", "search the knowledge base for deleting account")).then().statusCode(200)
                .body("response", containsString("No matching documents"));
    }
}
