package io.chatplatform.session.search;

import io.chatplatform.session.CurrentUser;
import io.chatplatform.session.Params;
import io.chatplatform.session.limits.RequestLimits;
import io.chatplatform.session.session.SessionResource;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

import java.util.UUID;

@Path("/api/search")
@RolesAllowed("user")
@Produces(MediaType.APPLICATION_JSON)
public class SearchResource {

    private final SearchService search;
    private final CurrentUser user;
    private final RequestLimits limits;

    public SearchResource(SearchService search, CurrentUser user, RequestLimits limits) {
        this.search = search;
        this.user = user;
        this.limits = limits;
    }

    @GET
    public SearchResult search(@QueryParam("q") String q, @QueryParam("limit") String limit) {
        UUID me = user.id();
        String query = SearchService.query(q);
        limits.search(me);
        return search.search(me, query, Params.intParam("limit", limit, 20, 1, SessionResource.MAX_LIMIT));
    }
}
