package io.chatplatform.session.branch;

import io.chatplatform.session.CurrentUser;
import io.chatplatform.session.Params;
import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;

/** The branch shown of a session: the "< 2/3 >" switcher of the web UI. */
@Path("/api/sessions/{id}/branch")
@RolesAllowed("user")
@Consumes("application/json")
public class BranchResource {

    private final BranchService branches;
    private final CurrentUser user;

    public BranchResource(BranchService branches, CurrentUser user) {
        this.branches = branches;
        this.user = user;
    }

    @PUT
    public void show(@PathParam("id") String id, @Valid @NotNull SwitchBranch body) {
        branches.show(user.id(), Params.sessionId(id), body); // 204
    }
}
