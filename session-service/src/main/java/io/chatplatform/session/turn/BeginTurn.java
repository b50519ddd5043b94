package io.chatplatform.session.turn;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;

import java.util.UUID;

/**
 * {@code POST /api/sessions/{id}/turns}: the user's message and what chat-service needs back.
 * {@code answer_id} is the id chat-service gave the answer (its events' {@code message_id}). At most one of
 * {@code edit_of} (the message becomes a new version of that user message) and {@code regenerate_of} (no
 * message: a new version of that user message's answer; {@code content} is not needed) and {@code parent_id}.
 * {@code content} is checked in the service: it is required unless {@code regenerate_of} is given.
 */
public record BeginTurn(
        @NotNull @Size(min = 1, max = 100) String clientMessageId,
        String content,
        UUID parentId,
        UUID editOf,
        UUID regenerateOf,
        @NotNull UUID answerId,
        @NotNull @Min(1) @Max(1_000_000) Integer contextBudgetTokens) {
}
