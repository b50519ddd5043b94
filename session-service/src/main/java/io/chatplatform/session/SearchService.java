package io.chatplatform.session;

import io.chatplatform.common.ProblemException;
import io.chatplatform.session.Dtos.SearchHit;
import io.chatplatform.session.Dtos.SearchResult;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;

import java.sql.Timestamp;
import java.time.Instant;
import java.time.OffsetDateTime;
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
    private static final String SQL = """
            SELECT h.id, h.session_id, h.title, h.seq, h.role, h.rank, h.created_at,
                   ts_headline('english', m.content, websearch_to_tsquery('english', ?2), ?4) AS snippet
            FROM (
                SELECT m.id, m.session_id, s.title, m.seq, m.role, m.created_at,
                       ts_rank(m.search_vector, q) AS rank
                FROM messages m
                JOIN sessions s ON s.id = m.session_id,
                     websearch_to_tsquery('english', ?2) q
                WHERE s.user_id = ?1 AND NOT s.retiring AND m.search_vector @@ q
                ORDER BY rank DESC, m.created_at DESC, m.id
                LIMIT ?3
            ) h
            JOIN messages m ON m.id = h.id
            ORDER BY h.rank DESC, h.created_at DESC, h.id
            """;

    static final int MAX_QUERY = 256;

    private final EntityManager em;
    private final Timer timer;

    public SearchService(EntityManager em, MeterRegistry registry) {
        this.em = em;
        this.timer = Timer.builder("sessions.search")
                .description("Full-text search latency")
                .publishPercentileHistogram()
                .register(registry);
    }

    /** {@code q} as searched (stripped); a missing, blank or overlong one is a 400. */
    static String query(String q) {
        if (q == null || q.isBlank()) {
            throw ProblemException.badRequest("'q' is required.");
        }
        if (q.length() > MAX_QUERY) {
            throw ProblemException.badRequest("'q' must be at most " + MAX_QUERY + " characters.");
        }
        return q.strip();
    }

    /** The caller's messages matching {@code query} (a {@link #query} result, websearch syntax), best first. */
    @Transactional
    public SearchResult search(UUID userId, String query, int limit) {
        return new SearchResult(query, timer.record(() -> run(userId, query, limit)));
    }

    @SuppressWarnings("unchecked")
    private List<SearchHit> run(UUID userId, String query, int limit) {
        List<Object[]> rows = em.createNativeQuery(SQL)
                .setParameter(1, userId)
                .setParameter(2, query)
                .setParameter(3, limit)
                .setParameter(4, HEADLINE_OPTIONS)
                .getResultList();
        return rows.stream().map(r -> new SearchHit(
                (UUID) r[0], (UUID) r[1], (String) r[2], ((Number) r[3]).longValue(), (String) r[4],
                snippet((String) r[7]), ((Number) r[5]).doubleValue(), instant(r[6]))).toList();
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

    private static Instant instant(Object v) {
        if (v instanceof Instant i) return i;
        if (v instanceof OffsetDateTime o) return o.toInstant();
        if (v instanceof Timestamp t) return t.toInstant();
        throw new IllegalStateException("unexpected timestamp type " + v.getClass());
    }
}
