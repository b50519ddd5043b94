package io.chatplatform.llmstub;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.chatplatform.llmstub.AnswerPlanner.Plan;
import io.chatplatform.llmstub.AnswerPlanner.TextPlan;
import io.chatplatform.llmstub.AnswerPlanner.ToolPlan;
import io.chatplatform.llmstub.Directives.Fault;
import io.chatplatform.llmstub.Dtos.ChatCompletion;
import io.chatplatform.llmstub.Dtos.Choice;
import io.chatplatform.llmstub.Dtos.ErrorBody;
import io.chatplatform.llmstub.Dtos.ErrorDetail;
import io.chatplatform.llmstub.Dtos.FunctionCall;
import io.chatplatform.llmstub.Dtos.Message;
import io.chatplatform.llmstub.Dtos.ModelInfo;
import io.chatplatform.llmstub.Dtos.ModelList;
import io.chatplatform.llmstub.Dtos.ToolCall;
import io.chatplatform.llmstub.Dtos.Usage;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The OpenAI-compatible endpoints, as plain Vert.x routes: the stand-in needs control over flush timing
 * (non-blocking timers between chunks) and over the socket itself (the "drop" fault closes it mid-stream).
 */
@ApplicationScoped
public class CompletionRoutes {

    private static final Logger LOG = Logger.getLogger(CompletionRoutes.class);
    static final String DEFAULT_MODEL = "stub-model";
    private static final long CREATED = Instant.parse("2026-01-01T00:00:00Z").getEpochSecond();

    private final ObjectMapper mapper;
    private final StubControls controls;
    private final AnswerPlanner planner;
    private final LlmStubConfig config;
    private final Vertx vertx;
    private final AtomicLong ids = new AtomicLong();

    public CompletionRoutes(ObjectMapper mapper, StubControls controls, AnswerPlanner planner, LlmStubConfig config,
                            Vertx vertx) {
        this.mapper = mapper;
        this.controls = controls;
        this.planner = planner;
        this.config = config;
        this.vertx = vertx;
    }

    void routes(@Observes Router router) {
        // Both spellings, so a base URL with or without "/v1" works.
        for (String prefix : List.of("/v1", "")) {
            router.post(prefix + "/chat/completions").handler(BodyHandler.create().setBodyLimit(16 * 1024 * 1024))
                    .handler(this::completions);
            router.get(prefix + "/models").handler(this::models);
        }
    }

    void models(RoutingContext ctx) {
        Set<String> ids = new LinkedHashSet<>();
        ids.add(DEFAULT_MODEL);
        config.models().stream().map(String::trim).filter(s -> !s.isEmpty()).forEach(ids::add);
        List<ModelInfo> data = ids.stream().map(id -> new ModelInfo(id, "model", CREATED, "llm-stub")).toList();
        json(ctx.response(), 200, new ModelList("list", data));
    }

    void completions(RoutingContext ctx) {
        HttpServerResponse resp = ctx.response();
        ChatRequest req;
        Directives d;
        try {
            JsonNode body = ctx.body().buffer() == null ? null : mapper.readTree(ctx.body().buffer().getBytes());
            req = ChatRequest.parse(body);
            ChatRequest.Msg user = req.lastUser();
            d = Directives.from(ctx.request()::getHeader, user == null ? "" : user.text());
            JsonNode max = body.hasNonNull("max_completion_tokens") ? body.get("max_completion_tokens") : body.get("max_tokens");
            controls.log(user == null ? "" : user.text(), max != null && max.canConvertToInt() ? max.asInt() : null,
                    req.messages());
        } catch (java.io.IOException e) {
            badRequest(resp, "We could not parse the JSON body of your request.", null);
            return;
        } catch (ChatRequest.Invalid e) {
            badRequest(resp, e.getMessage(), e.param);
            return;
        } catch (IllegalArgumentException e) {
            badRequest(resp, "Invalid stub control: " + e.getMessage(), null);
            return;
        }
        controls.countRequest(req.stream());

        Fault fault = d.fault();
        if (fault != null && d.times() != null) {
            ChatRequest.Msg user = req.lastUser();
            String key = d.faultSource() + "|" + (user == null ? "" : user.text());
            if (!controls.consumeTimes(key, d.times())) {
                fault = null; // the first N requests failed: answer normally now
            }
        }
        if (fault == null && d.fault() == null) {
            fault = controls.pollQueuedFault();
        }
        if (fault != null) {
            controls.countFault(fault);
        }
        if (fault == Fault.HTTP_429 || fault == Fault.HTTP_500 || fault == Fault.HTTP_503) {
            statusFault(resp, fault);
            return;
        }

        long firstDelay = d.firstTokenDelayMs() != null ? d.firstTokenDelayMs() : controls.firstTokenDelayMs();
        long tokenDelay = d.tokenDelayMs() != null ? d.tokenDelayMs() : controls.tokenDelayMs();
        Integer answerTokens = d.answerTokens() != null ? d.answerTokens() : controls.answerTokens();
        Plan plan = planner.plan(req, d, answerTokens);
        if (plan instanceof ToolPlan) {
            controls.countToolCall();
        }
        String model = req.model() != null ? req.model() : DEFAULT_MODEL;
        String id = "chatcmpl-stub-" + ids.incrementAndGet();
        Playback playback = new Playback(vertx, resp, controls);

        if (fault == Fault.HANG) {
            // Accept and never answer; the connection is closed after hang-max, or earlier by the client.
            LOG.debugf("%s: hanging for at most %s", id, config.hangMax());
            playback.step(config.hangMax().toMillis(), () -> ctx.request().connection().close());
        } else if (req.stream()) {
            stream(ctx, playback, plan, id, model, req.includeUsage(), firstDelay, tokenDelay, fault == Fault.DROP);
        } else {
            whole(ctx, playback, plan, id, model, firstDelay, tokenDelay, fault == Fault.DROP);
        }
        playback.start();
    }

    private void whole(RoutingContext ctx, Playback p, Plan plan, String id, String model, long firstDelay,
                       long tokenDelay, boolean drop) {
        Message message;
        String finish;
        if (plan instanceof TextPlan t) {
            message = new Message("assistant", t.content(), null);
            finish = "stop";
        } else {
            ToolPlan t = (ToolPlan) plan;
            message = new Message("assistant", null, List.of(new ToolCall(null, t.callId(), "function",
                    new FunctionCall(t.name(), t.arguments()))));
            finish = "tool_calls";
        }
        // Simulated generation time: first token, then one delay per further token.
        long total = firstDelay + tokenDelay * Math.max(0, plan.completionTokens() - 1);
        ChatCompletion body = new ChatCompletion(id, "chat.completion", nowSeconds(), model, "fp_llm_stub",
                List.of(new Choice(0, message, null, finish)), usage(plan));
        p.step(total, () -> {
            HttpServerResponse resp = ctx.response();
            if (!drop) {
                json(resp, 200, body);
                return;
            }
            // Promise the whole body, send half of it, then cut the connection.
            byte[] bytes = write(body).getBytes(StandardCharsets.UTF_8);
            resp.setStatusCode(200).putHeader("Content-Type", "application/json")
                    .putHeader("Content-Length", String.valueOf(bytes.length));
            resp.write(Buffer.buffer(bytes).slice(0, bytes.length / 2));
            ctx.request().connection().close();
        });
    }

    private void stream(RoutingContext ctx, Playback p, Plan plan, String id, String model, Boolean includeUsage,
                        long firstDelay, long tokenDelay, boolean drop) {
        long created = nowSeconds();
        HttpServerResponse resp = ctx.response();
        List<String> deltas = new ArrayList<>(); // every SSE chunk after the opening one
        Message opening;
        String finish;
        if (plan instanceof TextPlan t) {
            opening = new Message("assistant", "", null);
            for (String token : t.tokens()) {
                deltas.add(chunk(id, created, model, new Message(null, token, null), null, null));
            }
            finish = "stop";
        } else {
            ToolPlan t = (ToolPlan) plan;
            opening = new Message("assistant", null, List.of(new ToolCall(0, t.callId(), "function",
                    new FunctionCall(t.name(), ""))));
            for (String fragment : t.fragments()) {
                deltas.add(chunk(id, created, model, new Message(null, null,
                        List.of(new ToolCall(0, null, null, new FunctionCall(null, fragment)))), null, null));
            }
            finish = "tool_calls";
        }
        String first = chunk(id, created, model, opening, null, null);
        // Headers, the role chunk and the first token all wait for the first-token delay.
        p.step(firstDelay, () -> {
            resp.setStatusCode(200).setChunked(true)
                    .putHeader("Content-Type", "text/event-stream; charset=utf-8")
                    .putHeader("Cache-Control", "no-cache")
                    .putHeader("X-Accel-Buffering", "no");
            resp.write(sse(first));
        });
        int limit = drop ? Math.min(config.dropAfterTokens(), deltas.size()) : deltas.size();
        for (int i = 0; i < limit; i++) {
            String data = deltas.get(i);
            p.step(i == 0 ? 0 : tokenDelay, () -> resp.write(sse(data)));
        }
        if (drop) {
            p.step(tokenDelay, () -> ctx.request().connection().close());
            return;
        }
        Usage usage = usage(plan);
        boolean separateUsage = !Boolean.FALSE.equals(includeUsage);
        String last = chunk(id, created, model, new Message(null, null, null), finish,
                separateUsage ? null : usage);
        p.step(0, () -> {
            resp.write(sse(last));
            if (separateUsage) {
                // OpenAI's usage chunk: empty choices; sent even when the client did not ask for it.
                resp.write(sse(write(new ChatCompletion(id, "chat.completion.chunk", created, model, "fp_llm_stub",
                        List.of(), usage))));
            }
            resp.end(sse("[DONE]"));
        });
    }

    private String chunk(String id, long created, String model, Message delta, String finish, Usage usage) {
        return write(new ChatCompletion(id, "chat.completion.chunk", created, model, "fp_llm_stub",
                List.of(new Choice(0, null, delta, finish)), usage));
    }

    private static Buffer sse(String data) {
        return Buffer.buffer("data: " + data + "\n\n");
    }

    private static Usage usage(Plan plan) {
        return new Usage(plan.promptTokens(), plan.completionTokens(), plan.promptTokens() + plan.completionTokens());
    }

    private void statusFault(HttpServerResponse resp, Fault fault) {
        String retryAfter = String.valueOf(config.retryAfterSeconds());
        switch (fault) {
            case HTTP_429 -> {
                resp.putHeader("Retry-After", retryAfter);
                json(resp, 429, error("Rate limit reached (injected by the LLM stand-in). Please try again in "
                        + retryAfter + "s.", "requests", "rate_limit_exceeded", null));
            }
            case HTTP_503 -> {
                resp.putHeader("Retry-After", retryAfter);
                json(resp, 503, error("The engine is currently overloaded (injected by the LLM stand-in). "
                        + "Please try again later.", "server_error", "service_unavailable", null));
            }
            default -> json(resp, 500, error("The server had an error while processing your request "
                    + "(injected by the LLM stand-in).", "server_error", "internal_error", null));
        }
    }

    private void badRequest(HttpServerResponse resp, String message, String param) {
        controls.countBadRequest();
        json(resp, 400, error(message, "invalid_request_error", "invalid_request", param));
    }

    static ErrorBody error(String message, String type, String code, String param) {
        return new ErrorBody(new ErrorDetail(message, type, param, code));
    }

    private void json(HttpServerResponse resp, int status, Object body) {
        resp.setStatusCode(status).putHeader("Content-Type", "application/json").end(write(body));
    }

    private String write(Object o) {
        try {
            return mapper.writeValueAsString(o);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static long nowSeconds() {
        return System.currentTimeMillis() / 1000;
    }
}
