package io.chatplatform.chat.turn;

import io.chatplatform.chat.api.TurnResult.ToolCall;
import io.chatplatform.chat.api.TurnResult.Usage;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/** The answer of one turn as it grows: its text, the part not yet sent as a delta, its tool calls and token counts. */
final class AnswerDraft {

    private final StringBuilder text = new StringBuilder();
    private final StringBuilder pending = new StringBuilder();
    private final List<ToolCall> toolCalls = new ArrayList<>();
    private final AtomicBoolean firstClaimed = new AtomicBoolean();
    private long promptTokens;
    private long completionTokens;
    private long firstTokenNanos;
    private boolean truncated;

    /** Appends a model token; true when it was the turn's first. */
    boolean append(String token) {
        boolean first = firstTokenNanos == 0;
        if (first) {
            firstClaimed.set(true);
            firstTokenNanos = System.nanoTime();
        }
        text.append(token);
        pending.append(token);
        return first;
    }

    /**
     * Claims the turn's first text for sending from the model stream's I/O thread (the only method called off the
     * turn's thread); false once claimed or once text was appended here.
     */
    boolean claimFirst() {
        return firstClaimed.compareAndSet(false, true);
    }

    /** Appends the turn's first text, already sent as a delta at {@code publishedNanos}. */
    void appendPublished(String token, long publishedNanos) {
        firstTokenNanos = publishedNanos;
        text.append(token);
    }

    /** The text not yet published as a delta (empty when none), and forgets it. */
    String takePending() {
        String d = pending.toString();
        pending.setLength(0);
        return d;
    }

    boolean hasPending() {
        return !pending.isEmpty();
    }

    String text() {
        return text.toString();
    }

    int length() {
        return text.length();
    }

    void usage(long prompt, long completion) {
        promptTokens += prompt;
        completionTokens += completion;
    }

    /** Prompt tokens so far plus the estimated tokens of the answer: what the quota cut compares. */
    long estimatedTokens() {
        return promptTokens + ContextBuilder.estimate(text.toString());
    }

    /** Usage as reported by the model, the answer's estimate when the model reported no completion tokens. */
    Usage finalUsage() {
        long completion = completionTokens;
        if (completion == 0 && !text.isEmpty()) {
            completion = ContextBuilder.estimate(text.toString()) - 4;
        }
        return new Usage(promptTokens, completion);
    }

    void toolCall(ToolCall call) {
        toolCalls.add(call);
    }

    List<ToolCall> toolCalls() {
        return List.copyOf(toolCalls);
    }

    Long ttftMillis(long startNanos) {
        return firstTokenNanos == 0 ? null : (firstTokenNanos - startNanos) / 1_000_000;
    }

    void truncate() {
        truncated = true;
    }

    boolean truncated() {
        return truncated;
    }
}
