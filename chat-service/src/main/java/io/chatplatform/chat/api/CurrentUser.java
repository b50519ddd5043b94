package io.chatplatform.chat.api;

import io.chatplatform.common.problem.ProblemException;
import jakarta.enterprise.context.RequestScoped;
import org.eclipse.microprofile.jwt.JsonWebToken;

import java.util.UUID;

/**
 * The caller, from the verified access token (signature, issuer, audience, expiry and the RFC 9068
 * {@code typ} are checked before this, by smallrye-jwt and platform-common's principal factory).
 * Everything a turn does (tools included) acts as this user.
 */
@RequestScoped
public class CurrentUser {

    private final JsonWebToken jwt;
    private String id;

    public CurrentUser(JsonWebToken jwt) {
        this.jwt = jwt;
    }

    public String id() {
        if (id == null) {
            try {
                id = UUID.fromString(jwt.getSubject()).toString();
            } catch (RuntimeException e) {
                throw ProblemException.unauthorized("A valid access token is required.");
            }
        }
        return id;
    }

    /** The bearer header forwarded to session-service (token propagation). */
    public String authorization() {
        return "Bearer " + jwt.getRawToken();
    }
}
