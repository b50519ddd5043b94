package io.chatplatform.session;

import io.chatplatform.common.ProblemException;
import io.chatplatform.session.Dtos.AppendMessage;
import io.chatplatform.session.Dtos.Message;
import io.chatplatform.session.Dtos.MessagePage;
import io.chatplatform.session.Dtos.Session;
import io.chatplatform.session.Dtos.SessionPage;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.Startup;
import jakarta.transaction.Transactional;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;

/** Sessions and their history. Every method takes the caller's id and only ever touches that user's rows. */
@ApplicationScoped
@Startup // created at start-up, so its counter is scraped (as 0) before the first append
public class SessionService {

    static final int TITLE_MAX = 60;

    private final SessionRepository sessions;
    private final MessageRepository messages;
    private final SessionsConfig config;
    private final Counter appended;

    public SessionService(SessionRepository sessions, MessageRepository messages, SessionsConfig config,
                          MeterRegistry registry) {
        this.sessions = sessions;
        this.messages = messages;
        this.config = config;
        this.appended = Counter.builder("sessions.messages.appended")
                .description("Messages appended to sessions (idempotent repeats not counted)")
                .register(registry);
    }

    /** The result of an append: the message, and whether this call created it (201) or found it (200). */
    public record Appended(Message message, boolean created) {
    }

    /** PostgreSQL keeps microseconds: truncate so that values (and list cursors) round-trip exactly. */
    static Instant now() {
        return Instant.now().truncatedTo(ChronoUnit.MICROS);
    }

    @Transactional
    public Session create(UUID userId, String title) {
        Instant now = now();
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
        s.updatedAt = now();
        return Session.of(s);
    }

    @Transactional
    public void delete(UUID userId, UUID id) {
        // messages go with it (ON DELETE CASCADE)
        if (sessions.deleteOwned(userId, id) == 0) {
            throw notFound();
        }
    }

    @Transactional
    public MessagePage history(UUID userId, UUID id, long afterSeq, int limit) {
        owned(userId, id);
        Slice<ChatMessage> page = Slice.fetch(limit, n -> messages.after(id, afterSeq, n));
        Long next = page.more() ? page.last().seq : null;
        return new MessagePage(page.items().stream().map(Message::of).toList(), next);
    }

    /**
     * Streams every message of an owned session to {@code sink}, a page per short transaction, so an
     * export of a very long session neither holds a transaction open nor loads it all into memory.
     */
    public void forEachMessage(UUID sessionId, int pageSize, java.util.function.Consumer<Message> sink) {
        long after = 0;
        while (true) {
            long from = after;
            List<Message> page = QuarkusTransaction.requiringNew().call(() ->
                    messages.after(sessionId, from, pageSize).stream().map(Message::of).toList());
            page.forEach(sink);
            if (page.size() < pageSize) {
                return;
            }
            after = page.get(page.size() - 1).seq();
        }
    }

    /**
     * Appends a message. The session row is locked (SELECT ... FOR UPDATE) for the rest of the
     * transaction, so concurrent appends from any number of replicas take seq numbers one after the
     * other; a rollback gives its number back, so seq stays gap-free. The unique (session_id, seq)
     * and (session_id, client_message_id) constraints back this up in the database.
     */
    @Transactional
    public Appended append(UUID userId, UUID sessionId, AppendMessage body) {
        if (body.content().getBytes(StandardCharsets.UTF_8).length > config.maxContentBytes()) {
            throw ProblemException.tooLarge("The message content is larger than " + config.maxContentBytes() + " bytes.");
        }
        if (body.metadata() != null && !body.metadata().isObject() && !body.metadata().isNull()) {
            throw ProblemException.badRequest("Field 'metadata' must be a JSON object.");
        }
        ChatSession s = sessions.lockOwned(userId, sessionId).orElseThrow(SessionService::notFound);
        if (body.clientMessageId() != null) {
            // checked under the lock: a concurrent twin has either committed (found here) or waits for us
            var existing = messages.findByClientId(sessionId, body.clientMessageId());
            if (existing.isPresent()) {
                return new Appended(Message.of(existing.get()).withSessionTitle(s.title), false);
            }
        }
        Instant now = now();
        s.messageCount += 1;
        s.lastMessageAt = now;
        s.lastActivityAt = now;
        s.updatedAt = now;
        if (s.title == null && "user".equals(body.role())) {
            s.title = titleFrom(body.content());
        }

        ChatMessage m = new ChatMessage();
        m.id = UUID.randomUUID();
        m.sessionId = sessionId;
        m.seq = s.messageCount;
        m.role = body.role();
        m.content = body.content();
        m.metadata = body.metadata() == null || body.metadata().isNull() ? null : body.metadata().toString();
        m.clientMessageId = body.clientMessageId();
        m.createdAt = now;
        messages.persist(m);
        messages.flush();
        appended.increment();
        return new Appended(Message.of(m).withSessionTitle(s.title), true);
    }

    /** Deletes every session (and message) of a user: the {@code user.deleted} event. */
    @Transactional
    public long deleteAllOf(UUID userId) {
        return sessions.deleteAllOf(userId);
    }

    /** First words of the message, whitespace collapsed, cut at a word boundary within {@value #TITLE_MAX} chars. */
    static String titleFrom(String content) {
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

    static ProblemException notFound() {
        return ProblemException.notFound("No such session.");
    }
}
