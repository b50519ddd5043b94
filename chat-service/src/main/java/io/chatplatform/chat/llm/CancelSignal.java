package io.chatplatform.chat.llm;

/**
 * The cancel handle of a turn as the model call sees it: the call registers its stream before it waits for the
 * first token, so a cancel at any moment closes the upstream stream and wakes the wait.
 */
public interface CancelSignal {

    boolean cancelled();

    /** Makes {@code stream} the one a cancel stops; cancels it at once when the turn is already cancelled. */
    void attach(ModelStream stream);

    CancelSignal NONE = new CancelSignal() {
        @Override
        public boolean cancelled() {
            return false;
        }

        @Override
        public void attach(ModelStream stream) {
        }
    };
}
