package io.chatplatform.common.problem;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import java.util.Map;

/**
 * A missing, invalid or non-access token answers an RFC 9457 problem like every other error. With
 * {@code quarkus.http.auth.proactive=false} (every service's setting, so a stale bearer never blocks a
 * public route) the failures surface inside Jakarta REST and meet the mappers; the Vert.x failure
 * handler covers routes outside it (e.g. a WebSocket upgrade).
 */
@ApplicationScoped
public class SecurityProblems {

    static final String DETAIL = "A valid access token is required.";

    private final ObjectMapper mapper;

    public SecurityProblems(ObjectMapper mapper) {
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
        try {
            RouteProblems.end(ctx, mapper, 401, "Unauthorized", DETAIL, Map.of("WWW-Authenticate", "Bearer"));
        } catch (Exception e) {
            ctx.next();
        }
    }

    @ServerExceptionMapper(priority = 1)
    public Response unauthorized(UnauthorizedException e, UriInfo uri) {
        return ProblemMappers.build(401, null, "Unauthorized", DETAIL, uri, Map.of())
                .header("WWW-Authenticate", "Bearer").build();
    }

    @ServerExceptionMapper(priority = 1)
    public Response authenticationFailed(AuthenticationFailedException e, UriInfo uri) {
        return unauthorized(null, uri);
    }

    @ServerExceptionMapper(priority = 1)
    public Response forbidden(ForbiddenException e, UriInfo uri) {
        return ProblemMappers.build(403, null, "Forbidden", "You may not do this.", uri, Map.of()).build();
    }
}
