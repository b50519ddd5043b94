package io.chatplatform.session.turn;

import io.chatplatform.common.problem.ProblemException;
import io.chatplatform.session.branch.BranchStore;
import io.chatplatform.session.branch.BranchStore.Node;
import io.chatplatform.session.message.Message;
import io.chatplatform.session.message.MessageReads;
import io.chatplatform.session.message.MessageStore;
import io.chatplatform.session.message.MessageStore.Locked;
import io.chatplatform.session.message.MessageStore.NewMessage;
import jakarta.enterprise.context.ApplicationScoped;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Turns that make a new version of a message, inside the begin-turn's transaction (the caller holds the session's
 * lock and has ruled out a replay): edit and resend (a new version of a user message, then its answer) and
 * regenerate (a new version of a user message's answer). The old version and everything after it leave the
 * branch shown; the new one is stored at once (a regenerated answer as an empty assistant message that its
 * answer writes then grow), so a replay of the same client_message_id finds it.
 */
@ApplicationScoped
public class VersionTurns {

    private final MessageStore store;

    public VersionTurns(MessageStore store) {
        this.store = store;
    }

    /** A begun version turn: the user message the answer follows, the placeholder answer (regenerate) and the context. */
    public record Versioned(Message user, Message answer, List<Message> context) {
    }

    /** {@code body.editOf()}'s next version, with {@code body.content()}; its context is the branch before it. */
    public Versioned edit(Connection c, UUID sessionId, Locked locked, BeginTurn body, String title)
            throws SQLException {
        Node edited = shownUserMessage(c, sessionId, body.editOf(), "edit_of");
        UUID parent = edited.parentId();
        if (parent == null && edited.seq() > 1) {
            // older than parent_id: it followed the message shown before it
            parent = BranchStore.shownBefore(c, sessionId, edited.seq()).map(Node::id).orElse(null);
        }
        BranchStore.leaveFrom(c, sessionId, edited.seq());
        int version = BranchStore.addVersion(c, edited.group());
        Message user = store.insert(c, sessionId, locked.messageCount(), new NewMessage(UUID.randomUUID(), "user",
                body.content(), null, body.clientMessageId(), parent, body.answerId(), null, edited.group(), version),
                title);
        return new Versioned(user, null, MessageReads.context(c, sessionId, user.seq(), body.contextBudgetTokens()));
    }

    /** A new version of {@code body.regenerateOf()}'s answer; the context is the branch before that user message. */
    public Versioned regenerate(Connection c, UUID sessionId, Locked locked, BeginTurn body) throws SQLException {
        Node asked = shownUserMessage(c, sessionId, body.regenerateOf(), "regenerate_of");
        Node answered = BranchStore.shownReply(c, sessionId, asked.id()).orElse(null);
        UUID group = null;
        int version = 1;
        if (answered != null) {
            BranchStore.leaveFrom(c, sessionId, answered.seq());
            group = answered.group();
            version = BranchStore.addVersion(c, group);
        } else {
            BranchStore.leaveFrom(c, sessionId, asked.seq() + 1); // an answer never stored: anything after the question
        }
        Message answer = store.insert(c, sessionId, locked.messageCount(), new NewMessage(body.answerId(),
                "assistant", "", null, body.clientMessageId(), asked.id(), null, null, group, version), null);
        Message user = MessageReads.byId(c, sessionId, asked.id()).orElseThrow();
        return new Versioned(user, answer, MessageReads.context(c, sessionId, asked.seq(), body.contextBudgetTokens()));
    }

    /** The user message a version turn names: in the session (400) and on the branch shown (409). */
    private static Node shownUserMessage(Connection c, UUID sessionId, UUID id, String field) throws SQLException {
        Node node = BranchStore.node(c, sessionId, id).filter(n -> "user".equals(n.role()))
                .orElseThrow(() -> ProblemException.badRequest("Field '" + field
                                + "' must name a user message of this session.")
                        .extension("violations", List.of(Map.of("field", field,
                                "message", "must be a user message of this session"))));
        if (!node.active()) {
            throw ProblemException.conflict("Field '" + field + "' names a message that is not on the branch shown.");
        }
        return node;
    }
}
