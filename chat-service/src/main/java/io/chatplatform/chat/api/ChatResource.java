package io.chatplatform.chat.api;

import io.chatplatform.chat.turn.TurnService;
import io.chatplatform.common.ProblemException;
import io.chatplatform.common.RateLimiter;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Chat routes of DESIGN.md. Thin: identity from the JWT, the turn itself in {@link TurnService}. */
@Path("/api")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@RolesAllowed("user")
public class ChatResource {

    @Inject
    CurrentUser user;

    @Inject
    TurnService turns;

    @Inject
    io.chatplatform.chat.ChatConfig config;

    @POST
    @Path("/chat")
    public Response chat(@Valid @NotNull(message = "body is required") ChatRequest body,
                         @HeaderParam("Prefer") String prefer) {
        return run(body, prefer);
    }

    @POST
    @Path("/{user_id}/chat")
    public Response chatAs(@PathParam("user_id") String userId, @Valid @NotNull(message = "body is required") ChatRequest body,
                           @HeaderParam("Prefer") String prefer) {
        if (!userId.equalsIgnoreCase(user.id())) {
            throw ProblemException.forbidden("The path user is not the signed-in user.");
        }
        return run(body, prefer);
    }

    @POST
    @Path("/chat/{message_id}/cancel")
    public Response cancel(@PathParam("message_id") String messageId) {
        turns.cancel(user.id(), messageId);
        return Response.accepted(new CancelAccepted(messageId, "cancelling")).build();
    }

    /** Returned inside a Response: Jackson serialises it reflectively in a native image. */
    @io.quarkus.runtime.annotations.RegisterForReflection
    public record CancelAccepted(String messageId, String status) {
    }

    private Response run(ChatRequest body, String prefer) {
        TurnService.Started s = turns.start(user.id(), user.authorization(),
                body.sessionId() == null ? null : body.sessionId().toString(), body.message(), body.clientMessageId());
        boolean async = prefer != null && prefer.toLowerCase().contains("respond-async");
        if (s.replay() != null) {
            return async ? Response.accepted(new Accepted(s.sessionId(), s.messageId())).build()
                    : Response.ok(s.replay()).build();
        }
        if (async) {
            return rate(Response.accepted(new Accepted(s.sessionId(), s.messageId())), s.rate())
                    .header("Preference-Applied", "respond-async").build();
        }
        try {
            ChatResponse r = s.result().get(config.syncTimeout().toMillis(), TimeUnit.MILLISECONDS);
            return rate(Response.ok(r), s.rate()).build();
        } catch (ExecutionException | CompletionException e) {
            if (e.getCause() instanceof ProblemException p) {
                throw p;
            }
            throw new IllegalStateException("turn failed", e.getCause());
        } catch (TimeoutException e) {
            // the turn continues and its outcome arrives as events
            throw new ProblemException(504, "Gateway Timeout", "The answer takes longer than expected; it arrives as events.")
                    .extension("session_id", s.sessionId()).extension("message_id", s.messageId());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ProblemException.unavailable(java.time.Duration.ofSeconds(5), "Interrupted.");
        }
    }

    private static Response.ResponseBuilder rate(Response.ResponseBuilder b, RateLimiter.Decision d) {
        if (d == null) {
            return b;
        }
        return b.header("RateLimit-Limit", d.limit())
                .header("RateLimit-Remaining", d.remaining())
                .header("RateLimit-Reset", Math.max(0, (d.reset().toMillis() + 999) / 1000));
    }
}
