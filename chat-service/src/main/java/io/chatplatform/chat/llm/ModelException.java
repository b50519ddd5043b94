package io.chatplatform.chat.llm;

/** A model call that failed; {@code code} is one of rate_limited, upstream_error, timeout, stream_interrupted, bad_request. */
public class ModelException extends RuntimeException {

    private final String code;
    private final boolean retryable;

    public ModelException(String code, boolean retryable, String message, Throwable cause) {
        super(message, cause, false, false);
        this.code = code;
        this.retryable = retryable;
    }

    public String code() {
        return code;
    }

    public boolean retryable() {
        return retryable;
    }

    /** HTTP status chat-service answers with when the turn ends in this failure. */
    public int httpStatus() {
        return switch (code) {
            case "timeout" -> 504;
            case "rate_limited" -> 503;
            default -> 502;
        };
    }

    /** Failed before the first token: SmallRye Fault Tolerance retries exactly these. */
    public static class BeforeFirstToken extends ModelException {
        public BeforeFirstToken(String code, String message, Throwable cause) {
            super(code, true, message, cause);
        }
    }

    /** The turn was cancelled while waiting for the first token: never retried. */
    public static class Cancelled extends ModelException {
        public Cancelled() {
            super("cancelled", false, "cancelled", null);
        }
    }

    /** Maps a client-side failure to a code; 429, 5xx, timeouts and I/O errors are retryable. */
    public static ModelException classify(Throwable t, boolean beforeFirstToken) {
        Integer status = null;
        boolean timeout = false;
        boolean io = false;
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof dev.langchain4j.exception.HttpException he) {
                status = he.statusCode();
            } else if (c instanceof jakarta.ws.rs.WebApplicationException we && we.getResponse() != null) {
                status = we.getResponse().getStatus();
            }
            if (c instanceof dev.langchain4j.exception.TimeoutException || c instanceof java.util.concurrent.TimeoutException
                    || c instanceof java.net.SocketTimeoutException
                    || c.getClass().getSimpleName().contains("Timeout")) {
                timeout = true;
            }
            if (c instanceof java.io.IOException || c instanceof io.vertx.core.VertxException
                    || c.getClass().getName().contains("ConnectException")
                    || c.getClass().getName().contains("ClosedException")) {
                io = true;
            }
            if (c.getCause() == c) {
                break;
            }
        }
        String code;
        boolean retryable;
        if (status != null && status == 429) {
            code = "rate_limited";
            retryable = true;
        } else if (status != null && status >= 500) {
            code = "upstream_error";
            retryable = true;
        } else if (status != null) {
            code = "bad_request";
            retryable = false;
        } else if (timeout) {
            code = "timeout";
            retryable = true;
        } else {
            code = beforeFirstToken ? "upstream_error" : "stream_interrupted";
            retryable = true;
        }
        String msg = "model call failed: " + code + (status != null ? " (" + status + ")" : "");
        if (beforeFirstToken && retryable) {
            return new BeforeFirstToken(code, msg, t);
        }
        return new ModelException(code, retryable, msg, t);
    }
}
