package io.chatplatform.session.branch;

import io.chatplatform.common.problem.ProblemException;
import io.chatplatform.session.Db;
import io.chatplatform.session.branch.BranchStore.Node;
import io.chatplatform.session.message.MessageStore;
import io.chatplatform.session.session.SessionService;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.List;
import java.util.Map;
import java.util.UUID;

/** Switches the branch shown of a session to another version of one of its messages. */
@ApplicationScoped
public class BranchService {

    private final Db db;

    public BranchService(Db db) {
        this.db = db;
    }

    /**
     * Shows version {@code body.version()} of the message {@code body.messageId()} is a version of, followed by the
     * newest leaf below it. Under the session's lock, so a turn or answer write lands on one side of the switch.
     */
    public void show(UUID userId, UUID sessionId, SwitchBranch body) {
        db.inTransaction(c -> {
            MessageStore.lock(c, userId, sessionId, null, null, null).orElseThrow(SessionService::notFound);
            Node named = BranchStore.node(c, sessionId, body.messageId())
                    .orElseThrow(() -> ProblemException.notFound("No such message in this session."));
            if (body.version() > named.versions()) {
                throw ProblemException.badRequest("This message has " + named.versions() + " version(s).")
                        .extension("violations", List.of(Map.of("field", "version",
                                "message", "must be between 1 and " + named.versions())));
            }
            Node shown = BranchStore.shownVersion(c, named.group())
                    .orElseThrow(() -> ProblemException.conflict("This message is not on the branch shown."));
            Node wanted = BranchStore.version(c, named.group(), body.version())
                    .orElseThrow(() -> new IllegalStateException("version " + body.version() + " missing"));
            if (!wanted.id().equals(shown.id())) {
                BranchStore.leaveFrom(c, sessionId, shown.seq());
                BranchStore.showDown(c, sessionId, wanted.id());
            }
            return null;
        });
    }
}
