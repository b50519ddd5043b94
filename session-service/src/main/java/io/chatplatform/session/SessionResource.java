package io.chatplatform.session;

import io.chatplatform.session.Dtos.AppendMessage;
import io.chatplatform.session.Dtos.CreateSession;
import io.chatplatform.session.Dtos.MessagePage;
import io.chatplatform.session.Dtos.Session;
import io.chatplatform.session.Dtos.SessionPage;
import io.chatplatform.session.Dtos.UpdateSession;
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

import java.net.URI;
import java.util.UUID;

@Path("/api/sessions")
@RolesAllowed("user")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class SessionResource {

    static final int MAX_LIMIT = 100;
    /** History pages may be larger: the web UI loads a conversation 200 messages at a time. */
    static final int MAX_HISTORY_LIMIT = 200;

    private final SessionService service;
    private final CurrentUser user;
    private final Transcript transcript;

    public SessionResource(SessionService service, CurrentUser user, Transcript transcript) {
        this.service = service;
        this.user = user;
        this.transcript = transcript;
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

    @GET
    @Path("{id}/messages")
    public MessagePage history(@PathParam("id") String id, @QueryParam("after_seq") String afterSeq,
                               @QueryParam("limit") String limit) {
        UUID me = user.id();
        UUID sid = Params.sessionId(id);
        return service.history(me, sid, Params.longParam("after_seq", afterSeq, 0, 0),
                Params.intParam("limit", limit, 50, 1, MAX_HISTORY_LIMIT));
    }

    @POST
    @Path("{id}/messages")
    public Response append(@PathParam("id") String id, @Valid @NotNull AppendMessage body, UriInfo uri) {
        UUID me = user.id();
        UUID sid = Params.sessionId(id);
        SessionService.Appended r = service.append(me, sid, body);
        if (!r.created()) {
            return Response.ok(r.message()).build(); // idempotent repeat: the first message, unchanged
        }
        URI location = uri.getBaseUriBuilder().path("api/sessions").path(sid.toString()).path("messages")
                .queryParam("after_seq", r.message().seq() - 1).queryParam("limit", 1).build();
        return Response.created(location).entity(r.message()).build();
    }

    @GET
    @Path("{id}/export")
    @Produces({MediaType.APPLICATION_JSON, "text/markdown"})
    public Response export(@PathParam("id") String id, @QueryParam("format") String format) {
        UUID me = user.id();
        Transcript.Export export = transcript.export(me, Params.sessionId(id), format);
        return Response.ok(export.body(), export.mediaType())
                .header("Content-Disposition", export.contentDisposition()).build();
    }
}
