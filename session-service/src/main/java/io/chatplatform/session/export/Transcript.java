package io.chatplatform.session.export;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.chatplatform.common.problem.ProblemException;
import io.chatplatform.session.SessionsConfig;
import io.chatplatform.session.message.Message;
import io.chatplatform.session.message.MessageReads;
import io.chatplatform.session.session.Session;
import io.chatplatform.session.session.SessionService;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.StreamingOutput;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.text.Normalizer;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * Session exports, streamed page by page: {@code md} a readable transcript, {@code json} the full
 * records as {"session": {...}, "messages": [...]}. Each page is one statement of its own (no
 * transaction held open while the client reads), so a very long session is never in memory at once.
 */
@ApplicationScoped
public class Transcript {

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'")
            .withZone(ZoneOffset.UTC);

    private final SessionService sessions;
    private final MessageReads messages;
    private final ObjectMapper mapper;
    private final int page;

    public Transcript(SessionService sessions, MessageReads messages, ObjectMapper mapper, SessionsConfig config) {
        this.sessions = sessions;
        this.messages = messages;
        this.mapper = mapper;
        this.page = config.exportPageSize();
    }

    /** A download: the streamed body, its media type and the attachment's file name. */
    record Export(StreamingOutput body, String mediaType, String filename) {
        String contentDisposition() {
            return "attachment; filename=\"" + filename + "\"";
        }
    }

    /**
     * The caller's session as {@code format} ({@code md}, the default, or {@code json}). Ownership is
     * checked here, before anything is streamed; any other format is a 400.
     */
    Export export(UUID userId, UUID sessionId, String format) {
        String f = format == null || format.isBlank() ? "md" : format;
        if (!f.equals("md") && !f.equals("json")) {
            throw ProblemException.badRequest("'format' must be md or json.");
        }
        Session session = sessions.get(userId, sessionId);
        return f.equals("md")
                ? new Export(markdown(userId, session), "text/markdown; charset=UTF-8", filename(session, f))
                : new Export(json(userId, session), MediaType.APPLICATION_JSON, filename(session, f));
    }

    /** {@code session} must already have been checked to belong to the caller. */
    private StreamingOutput markdown(UUID userId, Session s) {
        return out -> {
            Writer md = new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8));
            md.write("# " + (s.title() == null ? "Untitled session" : oneLine(s.title())) + "\n\n");
            md.write("- Session: `" + s.id() + "`\n");
            md.write("- Created: " + TIME.format(s.createdAt()) + "\n");
            md.write("- Messages: " + s.messageCount() + "\n\n");
            try {
                forEachMessage(userId, s.id(), m -> write(md, "---\n\n**" + roleName(m.role()) + "** · "
                        + TIME.format(m.createdAt()) + " · #" + m.seq() + "\n\n" + m.content().strip() + "\n\n"));
            } catch (UncheckedIOException e) {
                throw e.getCause();
            }
            md.flush();
        };
    }

    private StreamingOutput json(UUID userId, Session s) {
        return out -> {
            try (JsonGenerator json = mapper.getFactory().createGenerator(out)) {
                json.writeStartObject();
                json.writeFieldName("session");
                mapper.writeValue(json, s);
                json.writeArrayFieldStart("messages");
                forEachMessage(userId, s.id(), m -> {
                    try {
                        mapper.writeValue(json, m);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                });
                json.writeEndArray();
                json.writeEndObject();
            } catch (UncheckedIOException e) {
                throw e.getCause();
            }
        };
    }

    /** Every message of the session, a page (one statement) at a time; stops early if the session goes away. */
    private void forEachMessage(UUID userId, UUID sessionId, Consumer<Message> sink) {
        long after = 0;
        while (true) {
            List<Message> items = messages.page(userId, sessionId, after, page).orElse(List.of());
            items.forEach(sink);
            if (items.size() < page) {
                return;
            }
            after = items.getLast().seq();
        }
    }

    private static void write(Writer w, String s) {
        try {
            w.write(s);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** ASCII-only (safe in a quoted header value): "session-<slug>-<id prefix>.<ext>". */
    static String filename(Session s, String ext) {
        String slug = "";
        if (s.title() != null) {
            slug = Normalizer.normalize(s.title(), Normalizer.Form.NFKD)
                    .replaceAll("[^\\p{ASCII}]", "")
                    .toLowerCase(Locale.ROOT)
                    .replaceAll("[^a-z0-9]+", "-")
                    .replaceAll("(^-+|-+$)", "");
            if (slug.length() > 40) {
                slug = slug.substring(0, 40).replaceAll("-+$", "");
            }
        }
        String id = s.id().toString().substring(0, 8);
        return "session-" + (slug.isEmpty() ? "" : slug + "-") + id + "." + ext;
    }

    private static String roleName(String role) {
        return switch (role) {
            case "user" -> "User";
            case "assistant" -> "Assistant";
            case "system" -> "System";
            default -> "Tool";
        };
    }

    private static String oneLine(String s) {
        return s.replaceAll("\\s+", " ").strip();
    }
}
