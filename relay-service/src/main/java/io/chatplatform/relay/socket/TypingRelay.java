package io.chatplatform.relay.socket;

import io.chatplatform.relay.RelayConfig;
import io.chatplatform.relay.fanout.EventCodec;
import io.chatplatform.relay.fanout.SessionHub;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.quarkus.scheduler.Scheduled;
import io.vertx.core.Vertx;

/**
 * Typing indicators, throttled and coalesced per session and user on this replica: the first state goes out at
 * once, further changes within {@link RelayConfig#typingInterval()} are folded into one trailing publish of the
 * latest state, and a repeat of the state last sent is dropped. All tabs of a user in one session share the gate,
 * so N tabs cost one publish per interval (and N frames), not N publishes fanned out to N sockets each.
 */
@ApplicationScoped
public class TypingRelay {

    /** Throttle state of one session and user; guarded by its own monitor (tabs may sit on different loops). */
    private static final class Gate {
        long sentAt = Long.MIN_VALUE / 2;
        String sent;
        String pending;
        ClientConnection pendingFrom;
        long timer = -1;
    }

    private final ConcurrentHashMap<String, Gate> gates = new ConcurrentHashMap<>();
    private final long intervalNanos;
    private final EventCodec codec;
    private final ReactiveRedisDataSource redis;
    private final Vertx vertx;

    public TypingRelay(RelayConfig config, EventCodec codec, ReactiveRedisDataSource redis, Vertx vertx) {
        this.intervalNanos = config.typingInterval().toNanos();
        this.codec = codec;
        this.redis = redis;
        this.vertx = vertx;
    }

    public void typing(ClientConnection client, String state) {
        Gate gate = gates.computeIfAbsent(client.sessionId() + '|' + client.userId(), k -> new Gate());
        long now = System.nanoTime();
        synchronized (gate) {
            if (gate.timer < 0 && now - gate.sentAt >= intervalNanos) {
                gate.sentAt = now;
                gate.sent = state;
            } else {
                if (gate.timer < 0 && state.equals(gate.sent)) {
                    return; // nothing new within the interval
                }
                gate.pending = state;
                gate.pendingFrom = client;
                if (gate.timer < 0) {
                    long waitMs = TimeUnit.NANOSECONDS.toMillis(gate.sentAt + intervalNanos - now);
                    gate.timer = vertx.setTimer(Math.max(1, waitMs), t -> flush(gate));
                }
                return;
            }
        }
        publish(client, state);
    }

    private void flush(Gate gate) {
        String state;
        ClientConnection from;
        synchronized (gate) {
            state = gate.pending;
            from = gate.pendingFrom;
            gate.pending = null;
            gate.pendingFrom = null;
            gate.timer = -1;
            if (state == null || state.equals(gate.sent)) {
                return; // changed and changed back within the interval
            }
            gate.sent = state;
            gate.sentAt = System.nanoTime();
        }
        publish(from, state);
    }

    /** Pub/sub only: typing is never stored in the stream. */
    private void publish(ClientConnection client, String state) {
        String event = codec.frame("typing", "session_id", client.sessionId(), "user_id", client.userId(),
                "state", state, "ts", System.currentTimeMillis());
        redis.execute("PUBLISH", SessionHub.channelKey(client.sessionId()), event).subscribe().with(r -> {
        }, err -> client.sendControl(codec.frame("error", "code", "unavailable", "message", "typing not delivered")));
    }

    /** Forgets gates idle for a minute, so the map holds only sessions someone is typing in. */
    @Scheduled(every = "60s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void sweep() {
        long idleSince = System.nanoTime() - TimeUnit.MINUTES.toNanos(1);
        gates.values().removeIf(g -> {
            synchronized (g) {
                return g.timer < 0 && g.sentAt - idleSince < 0;
            }
        });
    }
}
