package io.chatplatform.session.message;

import com.fasterxml.jackson.databind.JsonNode;
import io.chatplatform.common.problem.ProblemException;
import io.chatplatform.session.Db;
import io.chatplatform.session.SessionsConfig;
import io.chatplatform.session.Slice;
import io.chatplatform.session.message.MessageStore.Locked;
import io.chatplatform.session.message.MessageStore.NewMessage;
import io.chatplatform.session.session.SessionService;
import jakarta.enterprise.context.ApplicationScoped;

import java.nio.charset.StandardCharsets;
import java.util.UUID;

/** A session's history: pages of it, and appends from the browser. */
@ApplicationScoped
public class MessageService {

    private final Db db;
    private final MessageReads reads;
    private final MessageStore store;
    private final SessionsConfig config;

    public MessageService(Db db, MessageReads reads, MessageStore store, SessionsConfig config) {
        this.db = db;
        this.reads = reads;
        this.store = store;
        this.config = config;
    }

    /** The result of an append: the message, and whether this call created it (201) or found it (200). */
    public record Appended(Message message, boolean created) {
    }

    /** One keyset page: a single statement that also checks the session is the caller's. */
    public MessagePage history(UUID userId, UUID sessionId, long afterSeq, int limit) {
        Slice<Message> page = Slice.fetch(limit, n -> reads.page(userId, sessionId, afterSeq, n)
                .orElseThrow(SessionService::notFound));
        return new MessagePage(page.items(), page.more() ? page.last().seq() : null);
    }

    /**
     * Appends a message under the session's row lock (see {@link MessageStore}); the same
     * {@code client_message_id} again finds the first message instead. Its parent is the session's
     * previous message.
     */
    public Appended append(UUID userId, UUID sessionId, AppendMessage body) {
        if (!"user".equals(body.role())) {
            // the model's words enter its context as its own: only chat-service writes them, with a write grant
            throw ProblemException.forbidden("Only 'user' messages may be appended here; assistant, tool and system "
                    + "messages are written by chat-service through the turn routes.");
        }
        checkSize(body.content(), config.maxContentBytes());
        String metadata = metadata(body.metadata());
        return db.inTransaction(c -> {
            Locked locked = MessageStore.lock(c, userId, sessionId, body.clientMessageId(), null, null)
                    .orElseThrow(SessionService::notFound);
            if (locked.existing() != null) {
                // checked under the lock: a concurrent twin has either committed (found here) or waits for us
                return new Appended(locked.existing().withSessionTitle(locked.title()), false);
            }
            String title = SessionService.titleFrom(body.content());
            Message m = store.insert(c, sessionId, locked.messageCount(), new NewMessage(UUID.randomUUID(), body.role(),
                    body.content(), metadata, body.clientMessageId(), locked.previousId(), null, null), title);
            return new Appended(m.withSessionTitle(locked.title() != null ? locked.title() : title), true);
        });
    }

    /** 413 when {@code content} is over {@code maxBytes} in UTF-8. */
    public static void checkSize(String content, int maxBytes) {
        // a UTF-8 character takes at most 3 bytes per UTF-16 unit: most contents need no encoding to pass
        if ((long) content.length() * 3 > maxBytes && content.getBytes(StandardCharsets.UTF_8).length > maxBytes) {
            throw ProblemException.tooLarge("The message content is larger than " + maxBytes + " bytes.");
        }
    }

    /** The stored form of a {@code metadata} field: a JSON object's text, or null; anything else is a 400. */
    public static String metadata(JsonNode metadata) {
        if (metadata == null || metadata.isNull()) {
            return null;
        }
        if (!metadata.isObject()) {
            throw ProblemException.badRequest("Field 'metadata' must be a JSON object.");
        }
        return metadata.toString();
    }
}
