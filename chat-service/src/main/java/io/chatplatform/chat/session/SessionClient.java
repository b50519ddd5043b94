package io.chatplatform.chat.session;

import com.fasterxml.jackson.databind.JsonNode;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import org.eclipse.microprofile.rest.client.inject.RegisterRestClient;

import java.util.Map;

/**
 * session-service routes of DESIGN.md. The caller's JWT is passed explicitly (turns run outside the HTTP request),
 * so session-service enforces ownership exactly as for the browser; the answer is written with the turn's
 * {@code write_grant} instead, which outlives the user's access token. The two calls in front of the model call
 * are non-blocking ({@link Uni}): they run on the request's event loop.
 */
@RegisterRestClient(configKey = "session-service")
@Path("/api")
public interface SessionClient {

    @POST
    @Path("/sessions")
    Uni<JsonNode> createSession(@HeaderParam("Authorization") String auth, Map<String, Object> body);

    @GET
    @Path("/sessions")
    JsonNode listSessions(@HeaderParam("Authorization") String auth, @QueryParam("limit") int limit);

    /** Ownership check, the user message stored idempotently and the context tail, in one call. */
    @POST
    @Path("/sessions/{id}/turns")
    Uni<JsonNode> beginTurn(@HeaderParam("Authorization") String auth, @PathParam("id") String id, Map<String, Object> body);

    /** {@code grant} is {@code "Grant <write_grant>"}. */
    @PUT
    @Path("/sessions/{id}/answers/{answer_id}")
    JsonNode putAnswer(@HeaderParam("Authorization") String grant, @PathParam("id") String id,
                       @PathParam("answer_id") String answerId, Map<String, Object> body);

    @GET
    @Path("/search")
    JsonNode search(@HeaderParam("Authorization") String auth, @QueryParam("q") String q,
                    @QueryParam("limit") int limit);
}
