package io.chatplatform.relay.socket;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.rest.client.inject.RegisterRestClient;

import io.smallrye.mutiny.Uni;

/** chat-service, called with the user's JWT; answers arrive as events, not in these responses. */
@RegisterRestClient(configKey = "chat-service")
@Path("/api/chat")
public interface ChatServiceClient {

    record ChatRequest(String sessionId, String message, String clientMessageId) {
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    Uni<Response> send(ChatRequest body, @HeaderParam("Authorization") String authorization,
            @HeaderParam("Prefer") String prefer);

    @POST
    @Path("/{messageId}/cancel")
    Uni<Response> cancel(@PathParam("messageId") String messageId, @HeaderParam("Authorization") String authorization);
}
