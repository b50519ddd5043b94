package io.chatplatform.session.turn;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;

import java.util.UUID;

/**
 * {@code POST /api/sessions/{id}/turns}: the user's message and what chat-service needs back.
 * {@code answer_id} is the id chat-service gave the answer (its events' {@code message_id}).
 */
public record BeginTurn(
        @NotNull @Size(min = 1, max = 100) String clientMessageId,
        @NotBlank String content,
        UUID parentId,
        @NotNull UUID answerId,
        @NotNull @Min(1) @Max(1_000_000) Integer contextBudgetTokens) {
}
