package io.chatplatform.relay.socket;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.rest.client.inject.RegisterRestClient;

import com.fasterxml.jackson.annotation.JsonInclude;

import io.smallrye.mutiny.Uni;

/** chat-service, called with the user's JWT; answers arrive as events, not in these responses. */
@RegisterRestClient(configKey = "chat-service")
@Path("/api/chat")
public interface ChatServiceClient {

    /**
     * {@code POST /api/chat}: a message, a new version of one ({@code editOf}) or a new answer to one
     * ({@code regenerateOf}, no message). Absent fields are left out: chat-service refuses unknown ones and nulls
     * say nothing.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record ChatRequest(String sessionId, String message, String clientMessageId, String editOf, String regenerateOf) {

        static ChatRequest send(String sessionId, String message, String clientMessageId, String editOf) {
            return new ChatRequest(sessionId, message, clientMessageId, editOf, null);
        }

        static ChatRequest regenerate(String sessionId, String userMessageId, String clientMessageId) {
            return new ChatRequest(sessionId, null, clientMessageId, null, userMessageId);
        }
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    Uni<Response> send(ChatRequest body, @HeaderParam("Authorization") String authorization,
            @HeaderParam("Prefer") String prefer);

    @POST
    @Path("/{messageId}/cancel")
    Uni<Response> cancel(@PathParam("messageId") String messageId, @HeaderParam("Authorization") String authorization);
}
