package io.chatplatform.chat.tools;

/**
 * Who a turn (and therefore every tool call in it) acts for: taken from the verified JWT, never from the
 * model. {@code authorization} is the caller's bearer header, forwarded to session-service.
 */
public record UserContext(String userId, String authorization, String sessionId) {

    private static final ThreadLocal<UserContext> CURRENT = new ThreadLocal<>();

    /** The user of the tool call running on this thread; fails closed when there is none. */
    public static UserContext current() {
        UserContext c = CURRENT.get();
        if (c == null) {
            throw new IllegalStateException("tool called outside a user turn");
        }
        return c;
    }

    public <T> T run(java.util.function.Supplier<T> body) {
        UserContext previous = CURRENT.get();
        CURRENT.set(this);
        try {
            return body.get();
        } finally {
            if (previous == null) {
                CURRENT.remove();
            } else {
                CURRENT.set(previous);
            }
        }
    }
}
