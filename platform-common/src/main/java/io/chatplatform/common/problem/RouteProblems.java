package io.chatplatform.common.problem;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;

import java.util.Map;

/** Writes a problem document from a Vert.x route, for refusals that happen before Jakarta REST is reached. */
final class RouteProblems {

    private RouteProblems() {
    }

    static void end(RoutingContext ctx, ObjectMapper mapper, int status, String title, String detail,
                    Map<String, String> headers) throws JsonProcessingException {
        String body = mapper.writeValueAsString(Problem.of(status, null, title, detail, ctx.request().path(), null));
        HttpServerResponse response = ctx.response().setStatusCode(status)
                .putHeader(HttpHeaders.CONTENT_TYPE, Problem.MEDIA_TYPE);
        headers.forEach(response::putHeader);
        response.end(body);
    }
}
