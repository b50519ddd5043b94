package io.chatplatform.chat.session;

import com.fasterxml.jackson.databind.JsonNode;
import io.smallrye.faulttolerance.api.ExponentialBackoff;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.WebApplicationException;
import org.eclipse.microprofile.faulttolerance.Retry;
import org.eclipse.microprofile.rest.client.inject.RestClient;

import java.nio.charset.StandardCharsets;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Writes a turn's answer to session-service ({@code PUT /api/sessions/{id}/answers/{answer_id}}) with the turn's
 * write grant, never with the user's access token (it may expire mid-answer). The final write is retried with
 * exponential backoff (SmallRye Fault Tolerance) across a session-service blip or restart; a checkpoint while the
 * answer grows is a single attempt (the next one, or the final write, catches up: the last write wins).
 */
@ApplicationScoped
public class AnswerStore {

    /** One write: {@code finishReason} null while the answer still grows. */
    public record Answer(String sessionId, String answerId, String writeGrant, String content,
                         Map<String, Object> metadata, String finishReason) {
    }

    /** session-service unreachable, 5xx, 429 or 408: worth another attempt. */
    public static class Unavailable extends RuntimeException {
        Unavailable(String message, Throwable cause) {
            super(message, cause, false, false);
        }
    }

    /** session-service refused the write for good (grant, size, unknown answer). */
    public static class Rejected extends RuntimeException {
        Rejected(String message) {
            super(message, null, false, false);
        }
    }

    @RestClient
    SessionClient client;

    @Retry(maxRetries = 20, delay = 250, delayUnit = ChronoUnit.MILLIS, jitter = 100,
            maxDuration = 3, durationUnit = ChronoUnit.MINUTES, retryOn = Unavailable.class, abortOn = Rejected.class)
    @ExponentialBackoff(factor = 2, maxDelay = 10_000)
    public JsonNode store(Answer answer) {
        return put(answer);
    }

    /** One attempt. */
    public JsonNode put(Answer a) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("content", a.content());
        body.put("metadata", a.metadata());
        body.put("finish_reason", a.finishReason());
        try {
            return client.putAnswer("Grant " + a.writeGrant(), a.sessionId(), a.answerId(), body);
        } catch (WebApplicationException e) {
            int status = e.getResponse().getStatus();
            if (status >= 500 || status == 429 || status == 408) {
                throw new Unavailable("session-service answered " + status, e);
            }
            throw new Rejected("session-service refused the answer (" + status + ")");
        } catch (RuntimeException e) {
            throw new Unavailable("session-service unreachable: " + e.getClass().getSimpleName(), e);
        }
    }

    /**
     * The longest prefix of {@code content} whose UTF-8 form fits {@code maxBytes} (session-service's limit), so a
     * long answer is stored cut rather than refused.
     */
    public static String fit(String content, int maxBytes) {
        if ((long) content.length() * 3 <= maxBytes) {
            return content;
        }
        byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
        if (bytes.length <= maxBytes) {
            return content;
        }
        String cut = new String(bytes, 0, maxBytes, StandardCharsets.UTF_8);
        // a character split by the cut decodes as U+FFFD
        while (!cut.isEmpty() && cut.charAt(cut.length() - 1) == '\uFFFD') {
            cut = cut.substring(0, cut.length() - 1);
        }
        return cut;
    }
}
