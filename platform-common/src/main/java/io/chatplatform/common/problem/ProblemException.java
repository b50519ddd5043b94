package io.chatplatform.common.problem;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Thrown by services to answer with a specific RFC 9457 problem. Carries optional response
 * headers (e.g. {@code Retry-After}) and extension members.
 */
public class ProblemException extends RuntimeException {

    private final int status;
    private final String title;
    private final String type;
    private final Map<String, String> headers = new LinkedHashMap<>();
    private final Map<String, Object> extensions = new LinkedHashMap<>();

    public ProblemException(int status, String title, String detail) {
        this(status, null, title, detail);
    }

    public ProblemException(int status, String type, String title, String detail) {
        super(detail, null, false, false); // no stack trace: this is an expected outcome, not a bug
        this.status = status;
        this.type = type;
        this.title = title;
    }

    public static ProblemException badRequest(String detail) {
        return new ProblemException(400, "Bad Request", detail);
    }

    public static ProblemException unauthorized(String detail) {
        return new ProblemException(401, "Unauthorized", detail).header("WWW-Authenticate", "Bearer");
    }

    public static ProblemException forbidden(String detail) {
        return new ProblemException(403, "Forbidden", detail);
    }

    public static ProblemException notFound(String detail) {
        return new ProblemException(404, "Not Found", detail);
    }

    public static ProblemException conflict(String detail) {
        return new ProblemException(409, "Conflict", detail);
    }

    public static ProblemException tooLarge(String detail) {
        return new ProblemException(413, "Content Too Large", detail);
    }

    public static ProblemException tooManyRequests(Duration retryAfter, String detail) {
        long seconds = Math.max(1, (retryAfter.toMillis() + 999) / 1000);
        return new ProblemException(429, "Too Many Requests", detail)
                .header("Retry-After", Long.toString(seconds))
                .extension("retry_after", seconds);
    }

    public static ProblemException unavailable(Duration retryAfter, String detail) {
        long seconds = Math.max(1, retryAfter.toSeconds());
        return new ProblemException(503, "Service Unavailable", detail)
                .header("Retry-After", Long.toString(seconds));
    }

    public ProblemException header(String name, String value) {
        headers.put(name, value);
        return this;
    }

    public ProblemException extension(String name, Object value) {
        extensions.put(name, value);
        return this;
    }

    public int status() {
        return status;
    }

    public String title() {
        return title;
    }

    public String type() {
        return type;
    }

    public Map<String, String> headers() {
        return headers;
    }

    public Map<String, Object> extensions() {
        return extensions;
    }
}
