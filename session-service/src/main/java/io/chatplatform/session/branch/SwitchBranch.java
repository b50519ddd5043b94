package io.chatplatform.session.branch;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;

import java.util.UUID;

/** {@code PUT /api/sessions/{id}/branch}: show version {@code version} of the message {@code message_id} is a version of. */
public record SwitchBranch(@NotNull UUID messageId, @NotNull @Min(1) @Max(100_000) Integer version) {
}
