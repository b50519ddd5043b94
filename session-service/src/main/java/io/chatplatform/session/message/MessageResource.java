package io.chatplatform.session.message;

import io.chatplatform.session.CurrentUser;
import io.chatplatform.session.Params;
import io.chatplatform.session.limits.RequestLimits;
import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
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

@Path("/api/sessions/{id}/messages")
@RolesAllowed("user")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class MessageResource {

    /** History pages may be larger than other lists: the web UI loads a conversation 200 messages at a time. */
    static final int MAX_HISTORY_LIMIT = 200;

    private final MessageService service;
    private final CurrentUser user;
    private final RequestLimits limits;

    public MessageResource(MessageService service, CurrentUser user, RequestLimits limits) {
        this.service = service;
        this.user = user;
        this.limits = limits;
    }

    @GET
    public MessagePage history(@PathParam("id") String id, @QueryParam("after_seq") String afterSeq,
                               @QueryParam("limit") String limit) {
        UUID me = user.id();
        UUID sid = Params.sessionId(id);
        return service.history(me, sid, Params.longParam("after_seq", afterSeq, 0, 0),
                Params.intParam("limit", limit, 50, 1, MAX_HISTORY_LIMIT));
    }

    @POST
    public Response append(@PathParam("id") String id, @Valid @NotNull AppendMessage body, UriInfo uri) {
        UUID me = user.id();
        UUID sid = Params.sessionId(id);
        limits.append(me);
        MessageService.Appended r = service.append(me, sid, body);
        if (!r.created()) {
            return Response.ok(r.message()).build(); // idempotent repeat: the first message, unchanged
        }
        return Response.created(location(uri, r.message())).entity(r.message()).build();
    }

    /** Where a message can be read back: its one-item history page. */
    public static URI location(UriInfo uri, Message m) {
        return uri.getBaseUriBuilder().path("api/sessions").path(m.sessionId().toString()).path("messages")
                .queryParam("after_seq", m.seq() - 1).queryParam("limit", 1).build();
    }
}
