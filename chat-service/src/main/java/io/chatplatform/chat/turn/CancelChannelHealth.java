package io.chatplatform.chat.turn;

import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Not ready while the {@code chat:cancel} subscription is down: a replica that could miss a Stop takes no turns. */
@Readiness
@ApplicationScoped
public class CancelChannelHealth implements HealthCheck {

    private final CancelChannel channel;

    public CancelChannelHealth(CancelChannel channel) {
        this.channel = channel;
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("cancel-channel").status(channel.healthy()).build();
    }
}
