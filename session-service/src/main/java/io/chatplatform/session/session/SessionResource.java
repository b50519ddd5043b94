package io.chatplatform.session.session;

import io.chatplatform.session.CurrentUser;
import io.chatplatform.session.Params;
import io.chatplatform.session.session.SessionBodies.CreateSession;
import io.chatplatform.session.session.SessionBodies.UpdateSession;
import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;

import java.util.UUID;

@Path("/api/sessions")
@RolesAllowed("user")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class SessionResource {

    /** Largest page of the session list and of search results. */
    public static final int MAX_LIMIT = 100;

    private final SessionService service;
    private final CurrentUser user;

    public SessionResource(SessionService service, CurrentUser user) {
        this.service = service;
        this.user = user;
    }

    @POST
    public Response create(@Valid CreateSession body, UriInfo uri) {
        Session s = service.create(user.id(), body == null ? null : body.title());
        return Response.created(uri.getAbsolutePathBuilder().path(s.id().toString()).build()).entity(s).build();
    }

    @GET
    public SessionPage list(@QueryParam("limit") String limit, @QueryParam("cursor") String cursor) {
        UUID me = user.id();
        return service.list(me, Params.intParam("limit", limit, 20, 1, MAX_LIMIT), Cursor.decode(cursor));
    }

    @GET
    @Path("{id}")
    public Session get(@PathParam("id") String id) {
        UUID me = user.id();
        return service.get(me, Params.sessionId(id));
    }

    @PATCH
    @Path("{id}")
    public Session rename(@PathParam("id") String id, @Valid @NotNull UpdateSession body) {
        UUID me = user.id();
        return service.rename(me, Params.sessionId(id), body.title());
    }

    @DELETE
    @Path("{id}")
    public Response delete(@PathParam("id") String id) {
        UUID me = user.id();
        service.delete(me, Params.sessionId(id));
        return Response.noContent().build();
    }
}
