package io.chatplatform.session;

import io.chatplatform.common.problem.ProblemException;
import jakarta.enterprise.context.RequestScoped;
import org.eclipse.microprofile.jwt.JsonWebToken;

import java.util.UUID;

/**
 * The caller, from the verified access token (signature, issuer, audience, expiry and the RFC 9068
 * {@code typ} are checked before this, by smallrye-jwt and platform-common's principal factory).
 * A {@code sub} that is not a UUID is not one of our users.
 */
@RequestScoped
public class CurrentUser {

    private final JsonWebToken jwt;
    private UUID id;

    public CurrentUser(JsonWebToken jwt) {
        this.jwt = jwt;
    }

    public UUID id() {
        if (id == null) {
            try {
                id = UUID.fromString(jwt.getSubject());
            } catch (RuntimeException e) {
                throw ProblemException.unauthorized("A valid access token is required.");
            }
        }
        return id;
    }
}
