package io.chatplatform.session.message;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonRawValue;
import io.quarkus.runtime.annotations.RegisterForReflection;

import java.time.Instant;
import java.util.UUID;

/**
 * A message as the API shows it. {@code metadata} is the stored JSON object, written out verbatim;
 * {@code parent_id} is the message this one follows (null for the first one and for messages older
 * than the column); it is version {@code version} of {@code versions} (regenerated or edited: the versions
 * share the parent; 1 of 1 for a message never regenerated or edited). Written by hand in streamed exports too: kept reflectable in native.
 */
@RegisterForReflection
public record Message(UUID id, UUID sessionId, long seq, String role, String content,
                      @JsonRawValue String metadata, String clientMessageId, UUID parentId, int version, int versions,
                      Instant createdAt,
                      /* only on a browser append and a begun turn's user_message: the session title after this message */
                      @JsonInclude(JsonInclude.Include.NON_NULL) String sessionTitle) {

    public Message withSessionTitle(String title) {
        return new Message(id, sessionId, seq, role, content, metadata, clientMessageId, parentId, version, versions, createdAt,
                title);
    }
}
