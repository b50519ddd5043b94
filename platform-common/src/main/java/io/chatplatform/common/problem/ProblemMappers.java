package io.chatplatform.common.problem;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.ConstraintViolationException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import java.util.List;
import java.util.Map;

/**
 * Maps every exception that reaches the REST layer to an RFC 9457 problem document.
 * No stack trace or exception message of an unexpected error ever reaches the client.
 */
public class ProblemMappers {

    private static final Logger LOG = Logger.getLogger(ProblemMappers.class);

    @ServerExceptionMapper(priority = 1)
    public Response problem(ProblemException e, UriInfo uri) {
        Response.ResponseBuilder builder = build(e.status(), e.type(), e.title(), e.getMessage(), uri, e.extensions());
        e.headers().forEach(builder::header);
        return builder.build();
    }

    @ServerExceptionMapper(priority = 1)
    public Response validation(ConstraintViolationException e, UriInfo uri) {
        List<Map<String, String>> violations = e.getConstraintViolations().stream()
                .map(ProblemMappers::violation)
                .toList();
        return build(400, null, "Bad Request", "The request is not valid.", uri,
                Map.of("violations", violations)).build();
    }

    @ServerExceptionMapper(priority = 1)
    public Response unknownField(UnrecognizedPropertyException e, UriInfo uri) {
        return build(400, null, "Bad Request", "Unknown field '" + e.getPropertyName() + "'.", uri, Map.of()).build();
    }

    @ServerExceptionMapper(priority = 1)
    public Response badFormat(InvalidFormatException e, UriInfo uri) {
        return build(400, null, "Bad Request", "Field '" + path(e) + "' has an invalid value.", uri, Map.of()).build();
    }

    @ServerExceptionMapper(priority = 1)
    public Response mismatched(MismatchedInputException e, UriInfo uri) {
        String field = path(e);
        String detail = field.isEmpty() ? "The request body has the wrong shape." : "Field '" + field + "' has the wrong type.";
        return build(400, null, "Bad Request", detail, uri, Map.of()).build();
    }

    @ServerExceptionMapper(priority = 2)
    public Response malformedJson(JsonProcessingException e, UriInfo uri) {
        return build(400, null, "Bad Request", "The request body is not valid JSON.", uri, Map.of()).build();
    }

    @ServerExceptionMapper(priority = 5)
    public Response web(WebApplicationException e, UriInfo uri) {
        Response original = e.getResponse();
        int status = original.getStatus();
        if (e.getCause() instanceof JsonProcessingException json) {
            return malformedJson(json, uri);
        }
        Response.StatusType info = Response.Status.fromStatusCode(status);
        String title = info != null ? info.getReasonPhrase() : "Error";
        String detail = switch (status) {
            case 400 -> "The request is not valid.";
            case 401 -> "A valid access token is required.";
            case 403 -> "You may not do this.";
            case 404 -> "No such resource.";
            case 405 -> "This method is not allowed here.";
            case 406 -> "The requested media type is not available.";
            case 413 -> "The request body is too large.";
            case 415 -> "This media type is not supported; send application/json.";
            default -> title;
        };
        Response.ResponseBuilder builder = build(status, null, title, detail, uri, Map.of());
        // keep headers that matter to the client (Allow, WWW-Authenticate, Retry-After)
        for (String header : List.of("Allow", "WWW-Authenticate", "Retry-After")) {
            Object value = original.getHeaders().getFirst(header);
            if (value != null) {
                builder.header(header, value);
            }
        }
        return builder.build();
    }

    @ServerExceptionMapper(priority = 10)
    public Response unexpected(Throwable e, UriInfo uri) {
        LOG.errorf(e, "Unexpected error on %s", uri == null ? "?" : uri.getPath());
        return build(500, null, "Internal Server Error", "An unexpected error occurred.", uri, Map.of()).build();
    }

    public static Response.ResponseBuilder build(int status, String type, String title, String detail,
                                                 UriInfo uri, Map<String, Object> extensions) {
        Problem problem = Problem.of(status, type, title, detail, uri == null ? null : uri.getPath(), extensions);
        return Response.status(status).type(Problem.MEDIA_TYPE).entity(problem);
    }

    private static Map<String, String> violation(ConstraintViolation<?> v) {
        String path = v.getPropertyPath().toString();
        // "create.body.email" -> "email": the method and parameter names mean nothing to a client
        String[] parts = path.split("\\.");
        String field = parts.length > 2 ? String.join(".", java.util.Arrays.copyOfRange(parts, 2, parts.length))
                : parts[parts.length - 1];
        return Map.of("field", field, "message", v.getMessage());
    }

    private static String path(MismatchedInputException e) {
        StringBuilder sb = new StringBuilder();
        for (var ref : e.getPath()) {
            if (ref.getFieldName() != null) {
                if (!sb.isEmpty()) sb.append('.');
                sb.append(ref.getFieldName());
            } else if (ref.getIndex() >= 0) {
                sb.append('[').append(ref.getIndex()).append(']');
            }
        }
        return sb.toString();
    }
}
