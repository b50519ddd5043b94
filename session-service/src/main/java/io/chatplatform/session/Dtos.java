package io.chatplatform.session;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonRawValue;
import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.runtime.annotations.RegisterForReflection;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** Request and response bodies (snake_case on the wire). */
public final class Dtos {

    private Dtos() {
    }

    public record CreateSession(@Size(min = 1, max = 200) @Pattern(regexp = "(?s).*\\S.*", message = "must not be blank") String title) {
    }

    public record UpdateSession(@NotBlank @Size(min = 1, max = 200) String title) {
    }

    public record AppendMessage(
            @NotNull @Pattern(regexp = "user|assistant|system|tool", message = "must be one of user, assistant, system, tool") String role,
            @NotNull String content,
            @Size(min = 1, max = 128) String clientMessageId,
            JsonNode metadata) {
    }

    // written by hand (streamed exports) as well as returned by resources: keep them reflectable in native
    @RegisterForReflection
    public record Session(UUID id, String title, Instant createdAt, Instant updatedAt, Instant lastMessageAt,
                          long messageCount) {
        static Session of(ChatSession s) {
            return new Session(s.id, s.title, s.createdAt, s.updatedAt, s.lastMessageAt, s.messageCount);
        }
    }

    public record SessionPage(List<Session> items, String nextCursor) {
    }

    @RegisterForReflection
    public record Message(UUID id, UUID sessionId, long seq, String role, String content,
                          @JsonRawValue String metadata, String clientMessageId, Instant createdAt,
                          /* only on append: the session title after this message (first user message titles it) */
                          @JsonInclude(JsonInclude.Include.NON_NULL) String sessionTitle) {
        static Message of(ChatMessage m) {
            return new Message(m.id, m.sessionId, m.seq, m.role, m.content, m.metadata, m.clientMessageId,
                    m.createdAt, null);
        }

        Message withSessionTitle(String title) {
            return new Message(id, sessionId, seq, role, content, metadata, clientMessageId, createdAt, title);
        }
    }

    /** {@code next_after_seq} is the {@code after_seq} of the next page, null when this is the last one. */
    public record MessagePage(List<Message> items, Long nextAfterSeq) {
    }

    /** {@code snippet} is HTML-escaped text with matches wrapped in {@code <mark>}. */
    public record SearchHit(UUID messageId, UUID sessionId, String sessionTitle, long seq, String role,
                            String snippet, double rank, Instant createdAt) {
    }

    public record SearchResult(String query, List<SearchHit> items) {
    }
}
