package io.chatplatform.auth.events;

import io.chatplatform.auth.user.AccountService;
import io.chatplatform.common.token.TokenRevoker;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.redis.datasource.stream.XAddArgs;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.util.List;
import java.util.Map;

/**
 * Moves committed events from the outbox to {@code platform:user-events}: right after the commit that wrote
 * them, and on a schedule for whatever that attempt could not send (Redis down, process killed).
 * A row is deleted only after its XADD succeeded, so delivery is at-least-once; consumers are idempotent.
 * A {@code user.deleted} first revokes the user's access tokens ({@code auth:revoked:user:{uid}}), so the
 * revocation is as durable as the event and always precedes it.
 */
@ApplicationScoped
public class UserEventPublisher {

    public static final String STREAM = "platform:user-events";
    private static final Logger LOG = Logger.getLogger(UserEventPublisher.class);
    private static final int BATCH = 100;

    private final UserEventOutbox outbox;
    private final RedisDataSource redis;
    private final TokenRevoker revoker;

    public UserEventPublisher(UserEventOutbox outbox, RedisDataSource redis, TokenRevoker revoker) {
        this.outbox = outbox;
        this.redis = redis;
        this.revoker = revoker;
    }

    @Scheduled(every = "${auth.outbox.drain-interval}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void drainOnSchedule() {
        drain();
    }

    /** Sends every pending event it can; returns how many were sent. Never throws: the schedule retries. */
    public int drain() {
        int total = 0;
        try {
            while (true) {
                Batch batch = QuarkusTransaction.requiringNew().call(this::sendBatch);
                total += batch.sent();
                if (batch.failure() != null) {
                    LOG.warnf("user events: XADD to %s failed (%s); the rest stays in the outbox for the next run",
                            STREAM, batch.failure());
                    return total;
                }
                if (!batch.full()) {
                    return total;
                }
            }
        } catch (RuntimeException e) {
            LOG.warnf("user events: draining the outbox failed (%s); the next run retries", e.toString());
            return total;
        }
    }

    private record Batch(int sent, boolean full, String failure) {
    }

    /** One transaction: lock a batch, XADD each row and delete it; rows after a failed XADD stay. */
    private Batch sendBatch() {
        List<PendingUserEvent> events = outbox.lockOldest(BATCH);
        int sent = 0;
        for (PendingUserEvent event : events) {
            try {
                if (AccountService.USER_DELETED.equals(event.type)) {
                    // before the event: once a consumer deletes the data, no token of the user can write more
                    revoker.revokeUser(event.userId.toString(), event.occurredAt.toInstant());
                }
                // bounded (MAXLEN ~): deletions are rare, so 100k entries are far more than any consumer lag
                redis.stream(String.class).xadd(STREAM, new XAddArgs().maxlen(100_000L).nearlyExactTrimming(),
                        Map.of("type", event.type, "user_id", event.userId.toString(),
                                "ts", event.occurredAt.toInstant().toString()));
            } catch (RuntimeException e) {
                return new Batch(sent, false, e.toString());
            }
            outbox.delete(event);
            sent++;
        }
        // a full batch may have more behind it
        return new Batch(sent, events.size() == BATCH, null);
    }
}
