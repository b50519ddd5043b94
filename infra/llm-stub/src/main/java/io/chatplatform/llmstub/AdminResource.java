package io.chatplatform.llmstub;

import io.chatplatform.llmstub.Directives.Fault;
import io.chatplatform.llmstub.Dtos.FaultRequest;
import io.chatplatform.llmstub.Dtos.FaultsQueued;
import io.chatplatform.llmstub.Dtos.Stats;
import io.chatplatform.llmstub.Dtos.Tuning;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import jakarta.ws.rs.BadRequestException;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import java.util.List;

/** Test and benchmark controls of the stand-in (never exposed beyond the local run). */
@Path("/admin")
public class AdminResource {

    private final StubControls controls;

    public AdminResource(StubControls controls) {
        this.controls = controls;
    }

    @GET
    @Path("/config")
    public Tuning config() {
        return controls.stats().config();
    }

    /** Replaces the runtime tuning; omitted fields return to the configured defaults. */
    @PUT
    @Path("/config")
    public Tuning putConfig(Tuning t) {
        if (t == null || negative(t.firstTokenDelayMs()) || negative(t.tokenDelayMs())
                || (t.answerTokens() != null && t.answerTokens() < 0)) {
            throw bad("first_token_delay_ms, token_delay_ms and answer_tokens must be >= 0");
        }
        controls.setTuning(t);
        return config();
    }

    @DELETE
    @Path("/config")
    public Tuning deleteConfig() {
        controls.setTuning(null);
        return config();
    }

    /** Queues a fault for the next N chat-completion requests (those not carrying their own fault). */
    @POST
    @Path("/faults")
    public Response queueFault(FaultRequest req) {
        Fault fault;
        try {
            fault = Fault.parse(req == null ? null : req.fault());
        } catch (IllegalArgumentException e) {
            throw bad(e.getMessage());
        }
        int times = req.times() == null ? 1 : req.times();
        if (times < 1 || times > 10_000) {
            throw bad("times must be between 1 and 10000");
        }
        controls.queueFault(fault, times);
        return Response.accepted(new FaultsQueued(controls.pendingFaults())).build();
    }

    @GET
    @Path("/faults")
    public FaultsQueued faults() {
        return new FaultsQueued(controls.pendingFaults());
    }

    @DELETE
    @Path("/faults")
    public FaultsQueued clearFaults() {
        controls.clearFaults();
        return new FaultsQueued(controls.pendingFaults());
    }

    @GET
    @Path("/stats")
    public Stats stats() {
        return controls.stats();
    }

    /** Requests whose last user message contains {@code contains}: {count, max_tokens[], inputs[][]} (a test's own, by its marker). */
    @GET
    @Path("/requests")
    public Dtos.Requests requests(@jakarta.ws.rs.QueryParam("contains") String contains) {
        List<StubControls.Logged> l = controls.logged(contains == null ? "" : contains);
        return new Dtos.Requests(l.size(), l.stream().map(StubControls.Logged::maxTokens).toList(),
                l.stream().map(StubControls.Logged::inputs).toList());
    }

    @POST
    @Path("/reset")
    public Stats reset() {
        controls.reset();
        return controls.stats();
    }

    /** Malformed or unknown-field admin bodies answer OpenAI-style error JSON, like the chat route. */
    @ServerExceptionMapper({JsonParseException.class, MismatchedInputException.class})
    public Response badJson(Exception e) {
        return Response.status(400).type(MediaType.APPLICATION_JSON)
                .entity(CompletionRoutes.error("Invalid admin request body: " + e.getClass().getSimpleName()
                        + " (fields: first_token_delay_ms, token_delay_ms, answer_tokens / fault, times).",
                        "invalid_request_error", "invalid_request", null)).build();
    }

    /** Quarkus REST reports some body errors as a bare 400 WebApplicationException: give it the same JSON. */
    @ServerExceptionMapper
    public Response webApplication(jakarta.ws.rs.WebApplicationException e) {
        if (e.getResponse().hasEntity()) {
            return e.getResponse();
        }
        int status = e.getResponse().getStatus();
        return Response.status(status).type(MediaType.APPLICATION_JSON)
                .entity(CompletionRoutes.error(status == 400 ? "Invalid admin request body." : e.getMessage(),
                        status == 400 ? "invalid_request_error" : "error", null, null)).build();
    }

    private static boolean negative(Long v) {
        return v != null && v < 0;
    }

    private static BadRequestException bad(String message) {
        return new BadRequestException(Response.status(400).type(MediaType.APPLICATION_JSON)
                .entity(CompletionRoutes.error(message, "invalid_request_error", "invalid_request", null)).build());
    }
}
