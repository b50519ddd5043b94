package io.chatplatform.auth.api;

import io.chatplatform.auth.magic.LoginService;
import io.chatplatform.auth.refresh.RefreshService;
import io.chatplatform.auth.user.AccountService;
import io.chatplatform.auth.user.User;
import io.chatplatform.common.problem.ProblemException;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.jwt.JsonWebToken;

import java.util.List;
import java.util.UUID;

/** The signed-in half of /api/auth: the account and its devices, behind the same JWT checks as every service. */
@Path("/api/auth")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed("user")
public class AccountResource {

    private final JsonWebToken jwt;
    private final AccountService accounts;
    private final RefreshService refresh;
    private final LoginService login;
    private final Cookies cookies;

    public AccountResource(JsonWebToken jwt, AccountService accounts, RefreshService refresh, LoginService login,
                           Cookies cookies) {
        this.jwt = jwt;
        this.accounts = accounts;
        this.refresh = refresh;
        this.login = login;
        this.cookies = cookies;
    }

    @GET
    @Path("/me")
    public Dtos.MeView me() {
        User user = accounts.find(userId()).orElseThrow(() -> ProblemException.notFound("The account no longer exists."));
        return new Dtos.MeView(user.id, user.email, user.createdAt);
    }

    /** 202: the account is gone here; other services delete their data when they read the event. */
    @DELETE
    @Path("/me")
    public Response deleteMe() {
        accounts.delete(userId()).ifPresent(login::dropPending);
        return Response.accepted().cookie(cookies.clear(Cookies.REFRESH)).build();
    }

    @GET
    @Path("/sessions")
    public List<Dtos.SessionView> sessions(@Context HttpHeaders headers) {
        String presented = cookies.value(headers, Cookies.REFRESH);
        UUID current = refresh.familyOf(presented);
        return refresh.list(userId()).stream()
                .map(f -> new Dtos.SessionView(f.id, f.createdAt, f.lastUsedAt, f.expiresAt, f.userAgent,
                        f.id.equals(current)))
                .toList();
    }

    @DELETE
    @Path("/sessions/{id}")
    public Response signOut(@PathParam("id") UUID id) {
        if (!refresh.revoke(id, userId())) {
            throw ProblemException.notFound("No such session.");
        }
        return Response.noContent().build();
    }

    private UUID userId() {
        try {
            return UUID.fromString(jwt.getSubject());
        } catch (RuntimeException e) {
            throw ProblemException.unauthorized("The access token has no valid subject.");
        }
    }
}
