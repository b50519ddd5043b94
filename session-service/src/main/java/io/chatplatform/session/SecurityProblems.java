package io.chatplatform.session;

import io.chatplatform.common.ProblemMappers;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import java.util.Map;

/**
 * Missing, invalid or non-access tokens answer an RFC 9457 problem like every other error.
 * Authentication is lazy ({@code quarkus.http.auth.proactive=false}), so its failures reach Jakarta REST.
 */
public class SecurityProblems {

    static final String DETAIL = "A valid access token is required.";

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
