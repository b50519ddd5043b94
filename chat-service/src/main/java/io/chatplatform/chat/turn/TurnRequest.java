package io.chatplatform.chat.turn;

import io.chatplatform.common.problem.ProblemException;

/**
 * What a caller asks a turn to do: a new message at the end of the branch shown, a new version of a user message
 * ({@code editOf}) or a new answer to one ({@code regenerateOf}, then no message: the stored one is answered again).
 */
public record TurnRequest(String sessionId, String message, String clientMessageId, String editOf, String regenerateOf) {

    public static TurnRequest send(String sessionId, String message, String clientMessageId) {
        return new TurnRequest(sessionId, message, clientMessageId, null, null);
    }

    public boolean regenerate() {
        return regenerateOf != null;
    }

    /** 400 (RFC 9457) for a combination that names no turn; the message's size is checked later (413). */
    void validate() {
        if (editOf != null && regenerateOf != null) {
            throw ProblemException.badRequest("edit_of and regenerate_of exclude each other.");
        }
        if ((editOf != null || regenerateOf != null) && sessionId == null) {
            throw ProblemException.badRequest((editOf != null ? "edit_of" : "regenerate_of") + " needs session_id.");
        }
        if (regenerate()) {
            if (message != null && !message.isEmpty()) {
                throw ProblemException.badRequest("message must be absent with regenerate_of: the stored user message is answered again.");
            }
            return;
        }
        if (message == null) {
            throw ProblemException.badRequest("message is required (unless regenerate_of is given).");
        }
        if (message.isBlank()) {
            throw ProblemException.badRequest("message must not be blank.");
        }
    }
}
