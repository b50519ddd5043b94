package io.chatplatform.session;

import io.chatplatform.session.Dtos.Export;
import io.chatplatform.session.Dtos.Message;
import io.chatplatform.session.Dtos.Session;

import java.text.Normalizer;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/** The readable Markdown export and the download file names. */
final class Transcript {

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'")
            .withZone(ZoneOffset.UTC);

    private Transcript() {
    }

    static String markdown(Export export) {
        Session s = export.session();
        StringBuilder md = new StringBuilder();
        md.append("# ").append(s.title() == null ? "Untitled session" : oneLine(s.title())).append("\n\n");
        md.append("- Session: `").append(s.id()).append("`\n");
        md.append("- Created: ").append(TIME.format(s.createdAt())).append('\n');
        md.append("- Messages: ").append(export.messages().size()).append("\n\n");
        for (Message m : export.messages()) {
            md.append("---\n\n");
            md.append("**").append(roleName(m.role())).append("** · ").append(TIME.format(m.createdAt()))
                    .append(" · #").append(m.seq()).append("\n\n");
            md.append(m.content().strip()).append("\n\n");
        }
        return md.toString();
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
