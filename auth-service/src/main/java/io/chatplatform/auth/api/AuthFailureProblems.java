package io.chatplatform.auth.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.chatplatform.common.Problem;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.UnauthorizedException;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import java.net.URI;
import java.util.Map;

/**
 * A rejected or missing bearer token answers an RFC 9457 problem like every other error. With
 * {@code quarkus.http.auth.proactive=false} (our setting) both surface inside Jakarta REST and meet the
 * mappers below; the Vert.x failure handler covers the proactive case, where they never reach it.
 */
@ApplicationScoped
public class AuthFailureProblems {

    static final String DETAIL = "A valid access token is required.";

    private final ObjectMapper mapper;

    public AuthFailureProblems(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    void install(@Observes Router router) {
        router.route().failureHandler(this::handle);
    }

    private void handle(RoutingContext ctx) {
        Throwable failure = ctx.failure();
        if (!(failure instanceof AuthenticationFailedException || failure instanceof UnauthorizedException)
                || ctx.response().headWritten()) {
            ctx.next();
            return;
        }
        Problem problem = new Problem(URI.create("about:blank"), "Unauthorized", 401, DETAIL,
                ctx.request().path(), null);
        try {
            ctx.response().setStatusCode(401)
                    .putHeader(HttpHeaders.CONTENT_TYPE, Problem.MEDIA_TYPE)
                    .putHeader("WWW-Authenticate", "Bearer")
                    .end(mapper.writeValueAsString(problem));
        } catch (Exception e) {
            ctx.next();
        }
    }

    @ServerExceptionMapper(priority = 1)
    public Response unauthorized(UnauthorizedException e, jakarta.ws.rs.core.UriInfo uri) {
        return io.chatplatform.common.ProblemMappers.build(401, null, "Unauthorized", DETAIL, uri, Map.of())
                .header("WWW-Authenticate", "Bearer").build();
    }

    @ServerExceptionMapper(priority = 1)
    public Response authenticationFailed(AuthenticationFailedException e, jakarta.ws.rs.core.UriInfo uri) {
        return unauthorized(null, uri);
    }
}
