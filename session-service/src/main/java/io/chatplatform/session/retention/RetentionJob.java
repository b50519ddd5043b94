package io.chatplatform.session.retention;

import io.chatplatform.session.SessionsConfig;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Callable;

/**
 * Deletes sessions idle longer than {@code sessions.retention.days} (0 = off). No transaction touches
 * more than {@code sessions.retention.batch-size} rows, however long the sessions are: idle sessions are
 * first marked retiring (invisible to their owner from then on, and closed to appends), then their
 * messages are deleted a chunk per transaction, then the emptied session rows. Rows locked by a live
 * request are skipped (SKIP LOCKED) and left for the next run, so the job never waits on, or blocks, a
 * user; replicas running it at once share the work, and a run that died half-way is finished by the next.
 */
@ApplicationScoped
public class RetentionJob {

    private static final Logger LOG = Logger.getLogger(RetentionJob.class);

    private final RetentionStore sessions;
    private final SessionsConfig.Retention config;
    private final Counter deleted;
    private final Counter transactions;

    public RetentionJob(RetentionStore sessions, SessionsConfig config, MeterRegistry registry) {
        this.sessions = sessions;
        this.config = config.retention();
        this.deleted = Counter.builder("sessions.retention.deleted")
                .description("Idle sessions deleted by the retention job").register(registry);
        this.transactions = Counter.builder("sessions.retention.transactions")
                .description("Transactions (batches) run by the retention job").register(registry);
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
        int batch = config.batchSize();
        long marked = repeat(() -> sessions.markIdle(cutoff, batch), batch);
        long messages = repeat(() -> sessions.deleteRetiringMessages(batch), batch);
        long total = repeat(() -> sessions.deleteEmptyRetiring(batch), batch);
        deleted.increment(total);
        if (total > 0 || marked > 0) {
            LOG.infof("retention: %d session(s) idle since before %s marked, %d message(s) and %d session(s) deleted",
                    marked, cutoff, messages, total);
        }
        return total;
    }

    /** Runs {@code step} a transaction at a time until a batch comes back short; returns the rows it touched. */
    private long repeat(Callable<Integer> step, int batch) {
        long total = 0;
        int n;
        do {
            n = QuarkusTransaction.requiringNew().call(step);
            transactions.increment();
            total += n;
        } while (n == batch);
        return total;
    }
}
