package io.chatplatform.relay.upgrade;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.rest.client.inject.RegisterRestClient;

import io.smallrye.mutiny.Uni;

/** session-service, called with the user's JWT so it enforces ownership itself (404 when not the user's). */
@RegisterRestClient(configKey = "session-service")
@Path("/api/sessions")
public interface SessionServiceClient {

    @GET
    @Path("/{id}")
    Uni<Response> get(@PathParam("id") String id, @HeaderParam("Authorization") String authorization);
}
