package io.chatplatform.chat.llm;

import dev.langchain4j.model.chat.response.ChatResponse;

import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One streaming model call seen as a queue of signals. The langchain4j callbacks enqueue (they run on an I/O
 * thread); the turn's own thread consumes. The one exception is the stream's first text: the callback hands it to
 * {@link FirstText} at once, so the turn's first delta leaves for Redis from the I/O thread instead of after the
 * turn's thread has woken up for it. {@link #cancel()} stops the underlying HTTP stream.
 */
public class ModelStream {

    private static final int WAITING = 0;
    private static final int STARTED = 1;
    private static final int CANCELLED = 2;

    public sealed interface Signal permits Token, Complete, Failed {
    }

    /** A text token; {@code publishedNanos} is when {@link FirstText} published it, 0 when it did not. */
    public record Token(String text, long publishedNanos) implements Signal {
    }

    /** Publishes a stream's first text from the I/O thread; false when it did not (the turn's thread sends it). */
    @FunctionalInterface
    public interface FirstText {
        boolean publish(String text);
    }

    public record Complete(ChatResponse response) implements Signal {
    }

    public record Failed(Throwable error) implements Signal {
    }

    private final BlockingQueue<Signal> queue = new LinkedBlockingQueue<>();
    private final AtomicReference<Runnable> closer = new AtomicReference<>();
    /** WAITING until the first text (STARTED) or a cancel (CANCELLED): the two cannot both win. */
    private final AtomicInteger state = new AtomicInteger(WAITING);
    private final FirstText firstText;
    private volatile Signal first;

    public ModelStream(FirstText firstText) {
        this.firstText = firstText;
    }

    void offer(Signal s) {
        if (state.get() != CANCELLED) {
            queue.offer(s);
        }
    }

    /** A text chunk from the callback: the stream's first one goes to {@link FirstText} unless a cancel came first. */
    void text(String text) {
        long published = 0;
        if (state.get() == WAITING && state.compareAndSet(WAITING, STARTED) && firstText != null) {
            long now = System.nanoTime();
            published = firstText.publish(text) ? now : 0;
        }
        offer(new Token(text, published));
    }

    /**
     * Gives up waiting for the first signal: true when the stream was cancelled by it; false when its first text
     * has just arrived (it is in the queue or about to be: the wait is over, not the stream).
     */
    boolean expire() {
        if (state.compareAndSet(WAITING, CANCELLED)) {
            close();
            return true;
        }
        return state.get() == CANCELLED;
    }

    /** How to close the HTTP stream; runs at once when the stream was cancelled before the request went out. */
    void handle(Runnable close) {
        if (close != null && closer.compareAndSet(null, close) && cancelled()) {
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
        return state.get() == CANCELLED;
    }

    /** Unblocks a consumer waiting in {@link #poll} (used by cancel). */
    public void wake() {
        queue.offer(new Failed(new java.util.concurrent.CancellationException("cancelled")));
    }

    /** Stops the stream: later callbacks are ignored and the HTTP stream is cancelled when possible. */
    public void cancel() {
        if (state.getAndSet(CANCELLED) != CANCELLED) {
            close();
        }
    }

    private void close() {
        Runnable c = closer.get();
        if (c != null) {
            closeQuietly(c);
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
