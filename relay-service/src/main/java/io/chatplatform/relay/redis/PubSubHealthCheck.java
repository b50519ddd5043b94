package io.chatplatform.relay.redis;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Not ready while sessions have clients here but the Redis subscriber connection is down. */
@Readiness
@ApplicationScoped
public class PubSubHealthCheck implements HealthCheck {

    private final RedisSubscriptions subscriptions;

    public PubSubHealthCheck(RedisSubscriptions subscriptions) {
        this.subscriptions = subscriptions;
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("redis-pubsub").status(subscriptions.healthy())
                .withData("channels", subscriptions.channelCount()).build();
    }
}
