package io.chatplatform.session.turn;

import io.chatplatform.session.message.Message;
import io.quarkus.runtime.annotations.RegisterForReflection;

import java.util.List;
import java.util.UUID;

/**
 * A message of a begun turn's context as the model needs it: who said what (and where it sits). The rest of a
 * message (metadata, ids of the tree, timestamps) would more than double the begin-turn answer for a long
 * context, written here and parsed again by chat-service on every turn.
 * Returned inside a Response: kept reflectable for Jackson in a native image.
 */
@RegisterForReflection
public record ContextMessage(UUID id, long seq, String role, String content) {

    static List<ContextMessage> of(List<Message> messages) {
        return messages.stream().map(m -> new ContextMessage(m.id(), m.seq(), m.role(), m.content())).toList();
    }
}
