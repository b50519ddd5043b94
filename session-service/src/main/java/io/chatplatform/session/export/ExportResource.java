package io.chatplatform.session.export;

import io.chatplatform.session.CurrentUser;
import io.chatplatform.session.Params;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import java.util.UUID;

@Path("/api/sessions/{id}/export")
@RolesAllowed("user")
public class ExportResource {

    private final Transcript transcript;
    private final CurrentUser user;

    public ExportResource(Transcript transcript, CurrentUser user) {
        this.transcript = transcript;
        this.user = user;
    }

    @GET
    @Produces({MediaType.APPLICATION_JSON, "text/markdown"})
    public Response export(@PathParam("id") String id, @QueryParam("format") String format) {
        UUID me = user.id();
        Transcript.Export export = transcript.export(me, Params.sessionId(id), format);
        return Response.ok(export.body(), export.mediaType())
                .header("Content-Disposition", export.contentDisposition()).build();
    }
}
