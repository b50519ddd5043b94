package io.chatplatform.auth.api;

import io.chatplatform.auth.magic.LoginService;
import io.chatplatform.auth.refresh.RefreshService;
import io.chatplatform.auth.token.SigningKeys;
import io.vertx.core.http.HttpServerRequest;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/** The public half of /api/auth: login, refresh, logout and the JWKS. */
@Path("/api/auth")
@Produces(MediaType.APPLICATION_JSON)
public class AuthResource {

    private final LoginService login;
    private final RefreshService refresh;
    private final SigningKeys keys;
    private final Cookies cookies;

    public AuthResource(LoginService login, RefreshService refresh, SigningKeys keys, Cookies cookies) {
        this.login = login;
        this.refresh = refresh;
        this.keys = keys;
        this.cookies = cookies;
    }

    /** Always 202 with the same body; binds the pending login to this browser with a nonce cookie. */
    @POST
    @Path("/magic-link")
    @SameOrigin
    @Consumes(MediaType.APPLICATION_JSON)
    public Response requestLink(@Valid @NotNull Dtos.MagicLinkRequest body, @Context HttpHeaders headers,
                                @Context HttpServerRequest request) {
        String nonce = login.requestLink(body.email(), cookies.value(headers, Cookies.NONCE), clientIp(request));
        return Response.accepted(Dtos.MagicLinkAccepted.INSTANCE)
                .cookie(cookies.nonce(nonce))
                .header("Cache-Control", "no-store")
                .build();
    }

    @POST
    @Path("/verify")
    @SameOrigin
    @Consumes(MediaType.APPLICATION_JSON)
    public Response verify(@Valid @NotNull Dtos.VerifyRequest body, @Context HttpHeaders headers,
                           @HeaderParam("User-Agent") String userAgent, @Context HttpServerRequest request) {
        LoginService.Login result = login.verify(body.token(), body.code(), Boolean.TRUE.equals(body.confirm()),
                cookies.value(headers, Cookies.NONCE), clientIp(request), userAgent);
        return tokens(result.session()).cookie(cookies.clear(Cookies.NONCE)).build();
    }

    @POST
    @Path("/refresh")
    @SameOrigin
    public Response refresh(@Context HttpHeaders headers, @HeaderParam("User-Agent") String userAgent) {
        return tokens(refresh.refresh(cookies.value(headers, Cookies.REFRESH), userAgent)).build();
    }

    @POST
    @Path("/logout")
    @SameOrigin
    public Response logout(@Context HttpHeaders headers) {
        refresh.logout(cookies.value(headers, Cookies.REFRESH));
        return Response.noContent().cookie(cookies.clear(Cookies.REFRESH)).build();
    }

    @GET
    @Path("/jwks")
    public Response jwks() {
        return Response.ok(keys.jwksJson(), MediaType.APPLICATION_JSON_TYPE)
                .header("Cache-Control", "public, max-age=300")
                .build();
    }

    private Response.ResponseBuilder tokens(RefreshService.Session s) {
        var body = new Dtos.TokenResponse(s.accessToken(), "Bearer", s.expiresIn(), new Dtos.UserView(s.userId(), s.email()));
        return Response.ok(body)
                .cookie(cookies.refresh(s.refreshToken(), s.refreshMaxAgeSeconds()))
                .header("Cache-Control", "no-store");
    }

    /** Quarkus' proxy support has already replaced the peer with X-Forwarded-For when the peer is a trusted proxy. */
    static String clientIp(HttpServerRequest request) {
        var address = request.remoteAddress();
        return address == null || address.hostAddress() == null ? "unknown" : address.hostAddress();
    }
}
