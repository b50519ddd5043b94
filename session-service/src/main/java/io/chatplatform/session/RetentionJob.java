package io.chatplatform.session;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.time.Instant;

/**
 * Deletes sessions idle longer than {@code sessions.retention.days} (0 = off), a batch per short
 * transaction. Rows locked by a live append are skipped (SKIP LOCKED) and left for the next run, so
 * the job never waits on, or blocks, a user. Replicas running it at once share the work.
 */
@ApplicationScoped
public class RetentionJob {

    private static final Logger LOG = Logger.getLogger(RetentionJob.class);

    private final SessionRepository sessions;
    private final SessionsConfig.Retention config;
    private final Counter deleted;

    public RetentionJob(SessionRepository sessions, SessionsConfig config, MeterRegistry registry) {
        this.sessions = sessions;
        this.config = config.retention();
        this.deleted = Counter.builder("sessions.retention.deleted")
                .description("Idle sessions deleted by the retention job").register(registry);
    }

    @Scheduled(identity = "session-retention", every = "${sessions.retention.every:1h}", delayed = "30s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void scheduled() {
        run();
    }

    /** One pass with the configured retention; returns the number of sessions deleted. */
    public long run() {
        int days = config.days();
        if (days <= 0) {
            return 0;
        }
        return purgeIdleSince(Instant.now().minus(Duration.ofDays(days)));
    }

    public long purgeIdleSince(Instant cutoff) {
        long total = 0;
        int n;
        do {
            n = QuarkusTransaction.requiringNew().call(() -> sessions.deleteIdleBatch(cutoff, config.batchSize()));
            total += n;
            deleted.increment(n);
        } while (n == config.batchSize());
        if (total > 0) {
            LOG.infof("retention: deleted %d session(s) idle since before %s", total, cutoff);
        }
        return total;
    }
}
