package io.chatplatform.common.problem;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

class ProblemTest {

    static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void anUntypedProblemIsAboutBlankWithItsExtensionsAtTheTopLevel() throws Exception {
        JsonNode doc = JSON.readTree(JSON.writeValueAsString(Problem.of(400, null, "Bad Request", "Not valid.",
                "/api/sessions", Map.of("violations", List.of(Map.of("field", "title", "message", "too long"))))));
        assertEquals("about:blank", doc.get("type").asText());
        assertEquals(400, doc.get("status").asInt());
        assertEquals("/api/sessions", doc.get("instance").asText());
        assertEquals("title", doc.at("/violations/0/field").asText());
        assertFalse(doc.has("extensions"), "extensions are flattened, not nested");
    }

    @Test
    void absentMembersAreLeftOut() throws Exception {
        JsonNode doc = JSON.readTree(JSON.writeValueAsString(Problem.of(404, "https://example.test/p", "Not Found",
                null, null, Map.of())));
        assertEquals("https://example.test/p", doc.get("type").asText());
        assertFalse(doc.has("detail"));
        assertFalse(doc.has("instance"));
    }

    @Test
    void tooManyRequestsRoundsRetryAfterUpToWholeSeconds() {
        ProblemException p = ProblemException.tooManyRequests(Duration.ofMillis(1_200), "Slow down.");
        assertEquals(429, p.status());
        assertEquals("2", p.headers().get("Retry-After"));
        assertEquals(2L, p.extensions().get("retry_after"));
        assertEquals("1", ProblemException.tooManyRequests(Duration.ZERO, "Slow down.").headers().get("Retry-After"));
    }
}
