package io.chatplatform.session.turn;

import io.chatplatform.session.CurrentUser;
import io.chatplatform.session.Params;
import io.chatplatform.session.message.MessageResource;
import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;

import java.util.UUID;

/** Begin-turn, called by chat-service with the user's access token. */
@Path("/api/sessions/{id}/turns")
@RolesAllowed("user")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class TurnResource {

    private final TurnService turns;
    private final CurrentUser user;

    public TurnResource(TurnService turns, CurrentUser user) {
        this.turns = turns;
        this.user = user;
    }

    @POST
    public Response begin(@PathParam("id") String id, @Valid @NotNull BeginTurn body, UriInfo uri) {
        UUID me = user.id();
        TurnService.Begun begun = turns.begin(me, Params.sessionId(id), body);
        if (!begun.created()) {
            return Response.ok(begun.turn()).build();
        }
        return Response.created(MessageResource.location(uri, begun.turn().userMessage())).entity(begun.turn()).build();
    }
}
