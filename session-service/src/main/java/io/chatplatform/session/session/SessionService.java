package io.chatplatform.session.session;

import io.chatplatform.common.problem.ProblemException;
import io.chatplatform.session.Db;
import io.chatplatform.session.Slice;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;

import java.time.Instant;
import java.util.UUID;

/** Sessions. Every method takes the caller's id and only ever touches that user's rows. */
@ApplicationScoped
public class SessionService {

    static final int TITLE_MAX = 60;

    private final SessionRepository sessions;

    public SessionService(SessionRepository sessions) {
        this.sessions = sessions;
    }

    @Transactional
    public Session create(UUID userId, String title) {
        Instant now = Db.now();
        ChatSession s = new ChatSession();
        s.id = UUID.randomUUID();
        s.userId = userId;
        s.title = title == null ? null : title.strip();
        s.createdAt = now;
        s.updatedAt = now;
        s.lastActivityAt = now;
        s.messageCount = 0;
        sessions.persist(s);
        return Session.of(s);
    }

    @Transactional
    public Session get(UUID userId, UUID id) {
        return Session.of(owned(userId, id));
    }

    @Transactional
    public SessionPage list(UUID userId, int limit, Cursor after) {
        Slice<ChatSession> page = Slice.fetch(limit, n -> sessions.page(userId, after, n));
        String next = page.more() ? Cursor.of(page.last()).encode() : null;
        return new SessionPage(page.items().stream().map(Session::of).toList(), next);
    }

    @Transactional
    public Session rename(UUID userId, UUID id, String title) {
        ChatSession s = owned(userId, id);
        s.title = title.strip();
        s.updatedAt = Db.now();
        return Session.of(s);
    }

    @Transactional
    public void delete(UUID userId, UUID id) {
        // messages go with it (ON DELETE CASCADE)
        if (sessions.deleteOwned(userId, id) == 0) {
            throw notFound();
        }
    }

    /** Deletes every session (and message) of a user: the {@code user.deleted} event. */
    @Transactional
    public long deleteAllOf(UUID userId) {
        return sessions.deleteAllOf(userId);
    }

    /** First words of the message, whitespace collapsed, cut at a word boundary within {@value #TITLE_MAX} chars. */
    public static String titleFrom(String content) {
        String text = content.strip().replaceAll("\\s+", " ");
        if (text.isEmpty()) {
            return null;
        }
        if (text.length() <= TITLE_MAX) {
            return text;
        }
        int cut = text.lastIndexOf(' ', TITLE_MAX - 1);
        if (cut < TITLE_MAX / 2) {
            cut = TITLE_MAX - 1;
            if (Character.isHighSurrogate(text.charAt(cut - 1))) {
                cut--;
            }
        }
        return text.substring(0, cut).strip() + "…";
    }

    private ChatSession owned(UUID userId, UUID id) {
        return sessions.findOwned(userId, id).orElseThrow(SessionService::notFound);
    }

    /** Someone else's session, a missing one and a retiring one all answer this. */
    public static ProblemException notFound() {
        return ProblemException.notFound("No such session.");
    }
}
