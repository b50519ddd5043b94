package io.chatplatform.common.token;

/**
 * Fired (synchronously, on the thread that heard of it, often an event loop: observers must not block) when a
 * revocation arrives that this replica did not hold yet. Exactly one of the ids is set; {@code revokedAt}
 * (epoch seconds) only for a user.
 */
public record TokensRevoked(String familyId, String userId, long revokedAt) {
}
