package io.chatplatform.chat.turn;

import io.chatplatform.chat.llm.CancelSignal;
import io.chatplatform.chat.llm.ModelStream;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A turn running on this replica. The model call attaches its stream before it waits for the first token, so
 * cancel stops the upstream stream and wakes the waiting thread at any point of the turn.
 */
final class ActiveTurn implements CancelSignal {

    private final String messageId;
    private final String userId;
    private final AtomicBoolean cancelled = new AtomicBoolean();
    private volatile ModelStream stream;

    ActiveTurn(String messageId, String userId) {
        this.messageId = messageId;
        this.userId = userId;
    }

    String messageId() {
        return messageId;
    }

    String userId() {
        return userId;
    }

    @Override
    public boolean cancelled() {
        return cancelled.get();
    }

    @Override
    public void attach(ModelStream s) {
        this.stream = s;
        if (cancelled.get()) {
            s.cancel();
            s.wake();
        }
    }

    void cancel() {
        if (cancelled.compareAndSet(false, true)) {
            ModelStream s = stream;
            if (s != null) {
                s.cancel();
                s.wake();
            }
        }
    }
}
