package io.chatplatform.chat.session;

import com.fasterxml.jackson.databind.JsonNode;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import org.eclipse.microprofile.rest.client.inject.RegisterRestClient;

import java.util.Map;

/**
 * session-service routes of DESIGN.md. The caller's JWT is passed explicitly on every call (turns run
 * outside the HTTP request), so session-service enforces ownership exactly as for the browser.
 */
@RegisterRestClient(configKey = "session-service")
@Path("/api")
public interface SessionClient {

    @POST
    @Path("/sessions")
    JsonNode createSession(@HeaderParam("Authorization") String auth, Map<String, Object> body);

    @GET
    @Path("/sessions")
    JsonNode listSessions(@HeaderParam("Authorization") String auth, @QueryParam("limit") int limit);

    @GET
    @Path("/sessions/{id}")
    JsonNode getSession(@HeaderParam("Authorization") String auth, @PathParam("id") String id);

    @GET
    @Path("/sessions/{id}/messages")
    JsonNode messages(@HeaderParam("Authorization") String auth, @PathParam("id") String id,
                      @QueryParam("after_seq") Long afterSeq, @QueryParam("limit") int limit);

    @POST
    @Path("/sessions/{id}/messages")
    JsonNode addMessage(@HeaderParam("Authorization") String auth, @PathParam("id") String id,
                        Map<String, Object> body);

    @GET
    @Path("/search")
    JsonNode search(@HeaderParam("Authorization") String auth, @QueryParam("q") String q,
                    @QueryParam("limit") int limit);
}
