package io.chatplatform.common.problem;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import java.util.Map;

/**
 * Rejects declared-oversize request bodies before they are read, with a 413 problem rather than
 * Vert.x's bare status. {@code quarkus.http.limits.max-body-size} still caps chunked bodies.
 */
@ApplicationScoped
public class BodyLimit {

    @ConfigMapping(prefix = "platform.http")
    public interface Config {
        /** Largest request body accepted, in bytes. */
        @WithDefault("262144")
        long maxBodyBytes();
    }

    void install(@Observes Router router, Config config, ObjectMapper mapper) {
        router.route().order(-100).handler(ctx -> {
            String length = ctx.request().getHeader(HttpHeaders.CONTENT_LENGTH);
            if (length != null) {
                long declared;
                try {
                    declared = Long.parseLong(length.trim());
                } catch (NumberFormatException e) {
                    declared = -1;
                }
                if (declared > config.maxBodyBytes()) {
                    try {
                        RouteProblems.end(ctx, mapper, 413, "Content Too Large",
                                "The request body is larger than " + config.maxBodyBytes() + " bytes.",
                                Map.of(HttpHeaders.CONNECTION.toString(), "close"));
                    } catch (Exception e) {
                        ctx.fail(e);
                    }
                    return;
                }
            }
            ctx.next();
        });
    }
}
