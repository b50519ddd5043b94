package io.chatplatform.common.token;

import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Not ready before the first verification keys are held (then no valid token could pass); stays ready on later fetch errors. */
@Readiness
@ApplicationScoped
public class KeysReadiness implements HealthCheck {

    static final String NAME = "Token verification keys";

    private final VerificationKeys keys;

    public KeysReadiness(VerificationKeys keys) {
        this.keys = keys;
    }

    @Override
    public HealthCheckResponse call() {
        var response = HealthCheckResponse.named(NAME).status(!keys.current().isEmpty())
                .withData("keys", keys.current().size());
        keys.lastError().ifPresent(e -> response.withData("last_fetch_error", e));
        return response.build();
    }
}
