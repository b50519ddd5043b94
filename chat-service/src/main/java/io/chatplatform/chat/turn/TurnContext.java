package io.chatplatform.chat.turn;

import io.chatplatform.chat.api.TurnResult;
import io.chatplatform.chat.events.EventSink;
import io.chatplatform.chat.session.SessionGateway.StoredMessage;
import io.chatplatform.chat.tools.UserContext;

import java.util.concurrent.CompletableFuture;

/**
 * What a running turn knows and never changes: who it acts for, its ids ({@code messageId} is the answer's id, the
 * events' {@code message_id}; {@code lockToken} the value of the session lock it holds), the stored user message,
 * the grant its answer is written with, the quota it may spend, its cancel handle, its events and its result.
 */
record TurnContext(UserContext user, String messageId, String lockToken, String clientMessageId, StoredMessage userMessage,
                   String writeGrant, long quotaLeft, long startNanos, ActiveTurn handle, EventSink events,
                   CompletableFuture<TurnResult> result) {

    String sessionId() {
        return user.sessionId();
    }

    boolean cancelled() {
        return handle.cancelled();
    }
}
