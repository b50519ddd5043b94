package io.chatplatform.chat.turn;

import io.chatplatform.chat.llm.ModelStream;

import java.util.concurrent.atomic.AtomicBoolean;

/** A turn running on this replica; cancel flips the flag and stops the current model stream. */
final class ActiveTurn {

    final String messageId;
    final AtomicBoolean cancelled = new AtomicBoolean();
    private volatile ModelStream stream;

    ActiveTurn(String messageId) {
        this.messageId = messageId;
    }

    void attach(ModelStream s) {
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
