package io.chatplatform.session.search;

import io.chatplatform.common.problem.ProblemException;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import io.chatplatform.session.Db;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** PostgreSQL full-text search over the caller's messages (GIN index on the generated tsvector). */
@ApplicationScoped
@Startup // created at start-up, so its histogram is scraped before the first search
public class SearchService {

    // control characters cannot occur in the escaped output, so they mark matches safely until escaping is done
    private static final String START = "\u0001";
    private static final String STOP = "\u0002";
    private static final String HEADLINE_OPTIONS = "StartSel=\"" + START + "\", StopSel=\"" + STOP
            + "\", MaxWords=30, MinWords=12, MaxFragments=2, FragmentDelimiter=\" … \"";

    // rank and filter first over the index; ts_headline (which re-parses the text) only for the page
    // parameters: query, options, user, query, limit
    private static final String SQL = """
            SELECT h.id, h.session_id, h.title, h.seq, h.role, h.rank, h.created_at,
                   ts_headline('english', m.content, websearch_to_tsquery('english', ?), ?) AS snippet
            FROM (
                SELECT m.id, m.session_id, s.title, m.seq, m.role, m.created_at,
                       ts_rank(m.search_vector, q) AS rank
                FROM messages m
                JOIN sessions s ON s.id = m.session_id,
                     websearch_to_tsquery('english', ?) q
                WHERE s.user_id = ? AND NOT s.retiring AND m.search_vector @@ q
                ORDER BY rank DESC, m.created_at DESC, m.id
                LIMIT ?
            ) h
            JOIN messages m ON m.id = h.id
            ORDER BY h.rank DESC, h.created_at DESC, h.id
            """;

    static final int MAX_QUERY = 256;

    private final Db db;
    private final Timer timer;

    public SearchService(Db db, MeterRegistry registry) {
        this.db = db;
        this.timer = Timer.builder("sessions.search")
                .description("Full-text search latency")
                .publishPercentileHistogram()
                .register(registry);
    }

    /** {@code q} as searched (stripped); a missing, blank or overlong one is a 400. */
    public static String query(String q) {
        if (q == null || q.isBlank()) {
            throw ProblemException.badRequest("'q' is required.");
        }
        if (q.length() > MAX_QUERY) {
            throw ProblemException.badRequest("'q' must be at most " + MAX_QUERY + " characters.");
        }
        return q.strip();
    }

    /** The caller's messages matching {@code query} (a {@link #query} result, websearch syntax), best first. */
    public SearchResult search(UUID userId, String query, int limit) {
        return new SearchResult(query, timer.record(() -> run(userId, query, limit)));
    }

    /** One statement in auto-commit: no transaction needed for a read. */
    private List<SearchHit> run(UUID userId, String query, int limit) {
        return db.read(c -> {
            try (PreparedStatement ps = c.prepareStatement(SQL)) {
                ps.setString(1, query);
                ps.setString(2, HEADLINE_OPTIONS);
                ps.setString(3, query);
                ps.setObject(4, userId);
                ps.setInt(5, limit);
                List<SearchHit> hits = new ArrayList<>(limit);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        hits.add(new SearchHit(rs.getObject(1, UUID.class), rs.getObject(2, UUID.class),
                                rs.getString(3), rs.getLong(4), rs.getString(5), snippet(rs.getString(8)),
                                rs.getDouble(6), Db.instant(rs, 7)));
                    }
                }
                return hits;
            }
        });
    }

    static String snippet(String headline) {
        StringBuilder out = new StringBuilder(headline.length() + 32);
        for (int i = 0; i < headline.length(); i++) {
            char c = headline.charAt(i);
            switch (c) {
                case '\u0001' -> out.append("<mark>");
                case '\u0002' -> out.append("</mark>");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '&' -> out.append("&amp;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(c);
            }
        }
        return out.toString().strip();
    }
}
