package io.chatplatform.chat.llm;

import dev.langchain4j.model.chat.response.ChatResponse;

import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One streaming model call seen as a queue of signals. The langchain4j callbacks only enqueue (they may run on
 * an I/O thread); the turn's own thread consumes. {@link #cancel()} stops the underlying HTTP stream.
 */
public class ModelStream {

    public sealed interface Signal permits Token, Complete, Failed {
    }

    public record Token(String text) implements Signal {
    }

    public record Complete(ChatResponse response) implements Signal {
    }

    public record Failed(Throwable error) implements Signal {
    }

    private final BlockingQueue<Signal> queue = new LinkedBlockingQueue<>();
    private final AtomicReference<Runnable> closer = new AtomicReference<>();
    private final AtomicBoolean cancelled = new AtomicBoolean();
    private volatile Signal first;

    void offer(Signal s) {
        if (!cancelled.get()) {
            queue.offer(s);
        }
    }

    /** How to close the HTTP stream; runs at once when the stream was cancelled before the request went out. */
    void handle(Runnable close) {
        if (close != null && closer.compareAndSet(null, close) && cancelled.get()) {
            closeQuietly(close);
        }
    }

    void first(Signal s) {
        this.first = s;
    }

    /** The signal that made the stream count as started (a token or a complete response). */
    public Signal first() {
        return first;
    }

    public Signal poll(long timeoutMillis) throws InterruptedException {
        return queue.poll(Math.max(0, timeoutMillis), TimeUnit.MILLISECONDS);
    }

    public boolean cancelled() {
        return cancelled.get();
    }

    /** Unblocks a consumer waiting in {@link #poll} (used by cancel). */
    public void wake() {
        queue.offer(new Failed(new java.util.concurrent.CancellationException("cancelled")));
    }

    /** Stops the stream: later callbacks are ignored and the HTTP stream is cancelled when possible. */
    public void cancel() {
        if (cancelled.compareAndSet(false, true)) {
            Runnable c = closer.get();
            if (c != null) {
                closeQuietly(c);
            }
        }
    }

    private static void closeQuietly(Runnable close) {
        try {
            close.run();
        } catch (RuntimeException ignored) {
            // best effort: the stream ends anyway and its signals are dropped
        }
    }
}
