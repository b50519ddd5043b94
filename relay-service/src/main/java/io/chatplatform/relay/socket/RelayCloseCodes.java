package io.chatplatform.relay.socket;

/**
 * WebSocket close codes the relay uses. The UI reacts to them (see README.md of the module):
 * standard codes where one fits, 4xxx (application range) where the UI must act.
 */
public final class RelayCloseCodes {

    /** Server going away at shutdown, after a {@code reconnect} frame: reconnect after the frame's delay. */
    public static final int SERVICE_RESTART = 1012;
    /** No inbound traffic (not even pongs) for the idle timeout. */
    public static final int GOING_AWAY = 1001;
    /** Per-connection inbound frame rate exceeded. */
    public static final int POLICY_VIOLATION = 1008;
    /** Inbound frame larger than the limit. */
    public static final int MESSAGE_TOO_BIG = 1009;
    /** The event feed (Redis) could not be set up or its gap after a loss could not be read: reconnect. */
    public static final int INTERNAL_ERROR = 1011;
    /** The client could not keep up with its events: reconnect (with last_event_id) after a pause. */
    public static final int SLOW_CONSUMER = 1013;
    /** This replica is full (it raced past the upgrade's check): reconnect after a pause, maybe elsewhere. */
    public static final int TRY_AGAIN_LATER = SLOW_CONSUMER;
    /**
     * The access token expired or was revoked (logout, device sign-out, account deletion) on an open connection:
     * refresh the token, then reconnect with last_event_id (a revoked session's refresh fails: signed out).
     */
    public static final int TOKEN_EXPIRED = 4001;
    /** The session no longer exists or is no longer the user's (reserved; the upgrade is refused instead). */
    public static final int SESSION_GONE = 4004;

    private RelayCloseCodes() {
    }
}
