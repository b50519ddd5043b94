package io.chatplatform.chat.api;

import io.chatplatform.chat.limits.RateLimitHeaders;
import io.chatplatform.chat.turn.TurnRequest;
import io.chatplatform.chat.turn.TurnService;
import io.chatplatform.common.problem.ProblemException;
import io.chatplatform.common.ratelimit.RateLimiter;
import io.quarkus.runtime.annotations.RegisterForReflection;
import io.smallrye.mutiny.Uni;
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

/**
 * Chat routes of DESIGN.md. Thin: identity from the JWT, the turn itself in {@link TurnService}. A turn's checks and
 * stores before the model call run on the request's event loop without blocking it (no worker thread to hand over
 * to and back: at one turn at a time each hand-over is a thread wake-up on the path to the first token); the
 * synchronous answer is a {@link Uni} too, so no thread is held while the model streams.
 */
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
    public Uni<Response> chat(@Valid @NotNull(message = "body is required") ChatRequest body,
                              @HeaderParam("Prefer") String prefer) {
        return run(body, prefer);
    }

    @POST
    @Path("/{user_id}/chat")
    public Uni<Response> chatAs(@PathParam("user_id") String userId,
                                @Valid @NotNull(message = "body is required") ChatRequest body,
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
    @RegisterForReflection
    public record CancelAccepted(String messageId, String status) {
    }

    private Uni<Response> run(ChatRequest body, String prefer) {
        boolean async = prefer != null && prefer.toLowerCase().contains("respond-async");
        return turns.start(user.id(), user.authorization(), new TurnRequest(text(body.sessionId()), body.message(),
                body.clientMessageId(), text(body.editOf()), text(body.regenerateOf()))).flatMap(s -> answer(s, async));
    }

    private Uni<Response> answer(TurnService.Started s, boolean async) {
        if (s.replay() != null) {
            return Uni.createFrom().item(async ? Response.accepted(new Accepted(s.sessionId(), s.messageId())).build()
                    : Response.ok(s.replay()).build());
        }
        if (async) {
            return Uni.createFrom().item(rate(Response.accepted(new Accepted(s.sessionId(), s.messageId())), s.rate())
                    .header("Preference-Applied", "respond-async").build());
        }
        // a copy: the timeout ends this wait, not the turn, which continues and ends as events
        return Uni.createFrom().completionStage(s.result().copy())
                .ifNoItem().after(config.syncTimeout()).failWith(() -> new ProblemException(504, "Gateway Timeout",
                        "The answer takes longer than expected; it arrives as events.")
                        .extension("session_id", s.sessionId()).extension("message_id", s.messageId()))
                .map(r -> rate(Response.ok(r), s.rate()).build())
                .onFailure(e -> !(e instanceof ProblemException)).transform(e -> {
                    Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
                    return cause instanceof ProblemException p ? p : new IllegalStateException("turn failed", cause);
                });
    }

    private static String text(java.util.UUID id) {
        return id == null ? null : id.toString();
    }

    private static Response.ResponseBuilder rate(Response.ResponseBuilder b, RateLimiter.Decision d) {
        if (d != null) {
            RateLimitHeaders.of(d).forEach(b::header);
        }
        return b;
    }
}
