package io.chatplatform.session;

import io.chatplatform.common.problem.ProblemException;

import java.util.List;
import java.util.Map;
import java.util.UUID;

/** Query and path parameters parsed by hand, so a bad value is a 400 problem (not JAX-RS's bare 404). */
public final class Params {

    private Params() {
    }

    public static int intParam(String name, String raw, int dflt, int min, int max) {
        if (raw == null || raw.isEmpty()) {
            return dflt;
        }
        try {
            int v = Integer.parseInt(raw.trim());
            if (v >= min && v <= max) {
                return v;
            }
        } catch (NumberFormatException ignored) {
            // fall through
        }
        throw ProblemException.badRequest("'" + name + "' must be an integer from " + min + " to " + max + ".")
                .extension("violations", List.of(Map.of("field", name,
                        "message", "must be between " + min + " and " + max)));
    }

    public static long longParam(String name, String raw, long dflt, long min) {
        if (raw == null || raw.isEmpty()) {
            return dflt;
        }
        try {
            long v = Long.parseLong(raw.trim());
            if (v >= min) {
                return v;
            }
        } catch (NumberFormatException ignored) {
            // fall through
        }
        throw ProblemException.badRequest("'" + name + "' must be an integer >= " + min + ".");
    }

    /**
     * A session id in the path. Only the canonical UUID form is accepted; anything else is a 400 naming
     * the parameter. A well-formed id that names no session of the caller is the service's 404.
     */
    public static UUID sessionId(String raw) {
        return uuid("id", raw);
    }

    /** A UUID path parameter named {@code name}, canonical form only (see {@link #sessionId}). */
    public static UUID uuid(String name, String raw) {
        try {
            UUID id = UUID.fromString(raw);
            // UUID.fromString also takes short forms such as "1-1-1-1-1": not an id we ever hand out
            if (id.toString().equalsIgnoreCase(raw)) {
                return id;
            }
        } catch (IllegalArgumentException ignored) {
            // fall through
        }
        throw ProblemException.badRequest("Path parameter '" + name + "' must be a UUID.")
                .extension("violations", List.of(Map.of("field", name, "message", "must be a UUID")));
    }
}
