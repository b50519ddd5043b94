package io.chatplatform.relay.ui;

import java.io.InputStream;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/**
 * The magic link of auth-service lands on {@code /auth/callback#token=...}: serve the same single page there
 * (the token stays in the fragment, which never reaches a server; Referrer-Policy no-referrer is set globally).
 */
@Path("/auth/callback")
public class UiResource {

    @GET
    @Produces(MediaType.TEXT_HTML)
    public InputStream callback() {
        InputStream page = Thread.currentThread().getContextClassLoader().getResourceAsStream("META-INF/resources/index.html");
        if (page == null) {
            throw new NotFoundException();
        }
        return page;
    }
}
