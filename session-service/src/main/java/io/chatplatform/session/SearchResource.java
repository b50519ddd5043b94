package io.chatplatform.session;

import io.chatplatform.common.ProblemException;
import io.chatplatform.session.Dtos.SearchResult;
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

    static final int MAX_QUERY = 256;

    private final SearchService search;
    private final CurrentUser user;

    public SearchResource(SearchService search, CurrentUser user) {
        this.search = search;
        this.user = user;
    }

    @GET
    public SearchResult search(@QueryParam("q") String q, @QueryParam("limit") String limit) {
        UUID me = user.id();
        if (q == null || q.isBlank()) {
            throw ProblemException.badRequest("'q' is required.");
        }
        if (q.length() > MAX_QUERY) {
            throw ProblemException.badRequest("'q' must be at most " + MAX_QUERY + " characters.");
        }
        int n = Params.intParam("limit", limit, 20, 1, SessionResource.MAX_LIMIT);
        return new SearchResult(q.strip(), search.search(me, q.strip(), n));
    }
}
