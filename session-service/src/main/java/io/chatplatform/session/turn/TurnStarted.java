package io.chatplatform.session.turn;

import io.chatplatform.session.message.Message;

import java.util.List;
import java.util.UUID;

/**
 * The answer to a begin-turn: the stored user message, the answer's id and write grant, the context
 * tail before the user message (oldest first, {@link ContextMessage}) and, on a replay, the answer stored so far (else null).
 */
public record TurnStarted(Message userMessage, UUID answerId, String writeGrant, List<ContextMessage> context,
                          Message answer) {
}
