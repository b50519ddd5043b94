package io.chatplatform.session.session;

import io.quarkus.runtime.annotations.RegisterForReflection;

import java.time.Instant;
import java.util.UUID;

/** A session as the API shows it. Written by hand in streamed exports too: kept reflectable in native. */
@RegisterForReflection
public record Session(UUID id, String title, Instant createdAt, Instant updatedAt, Instant lastMessageAt,
                      long messageCount) {

    static Session of(ChatSession s) {
        return new Session(s.id, s.title, s.createdAt, s.updatedAt, s.lastMessageAt, s.messageCount);
    }
}
