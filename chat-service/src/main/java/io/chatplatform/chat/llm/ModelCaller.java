package io.chatplatform.chat.llm;

import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.openai.OpenAiChatRequestParameters;
import dev.langchain4j.model.openai.OpenAiStreamingResponseBuilder;
import dev.langchain4j.model.openai.internal.OpenAiClient;
import dev.langchain4j.model.openai.internal.OpenAiUtils;
import dev.langchain4j.model.openai.internal.ResponseHandle;
import dev.langchain4j.model.openai.internal.chat.ChatCompletionChoice;
import dev.langchain4j.model.openai.internal.chat.ChatCompletionRequest;
import dev.langchain4j.model.openai.internal.chat.ChatCompletionResponse;
import dev.langchain4j.model.openai.internal.shared.StreamOptions;
import io.chatplatform.chat.ChatConfig;
import io.quarkiverse.langchain4j.openai.common.QuarkusOpenAiClient;
import io.smallrye.faulttolerance.api.ExponentialBackoff;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.faulttolerance.Retry;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.time.temporal.ChronoUnit;

/**
 * Opens a streaming call to the model and waits for its first signal. Failures before the first token
 * (429, 5xx, connection errors, no first token in time) are retried with exponential backoff by SmallRye
 * Fault Tolerance; once a token has arrived nothing is retried (the user already saw it). A cancelled turn is
 * never retried.
 * <p>
 * The call goes through quarkus-langchain4j's OpenAI client (the one its {@code StreamingChatModel} uses) with
 * langchain4j's request mapping and response assembly, but keeps the client's {@link ResponseHandle}:
 * {@code OpenAiStreamingChatModel} drops it and hands out a no-op streaming handle, so a cancel could not close
 * the HTTP stream, least of all before the first token.
 */
@ApplicationScoped
public class ModelCaller {

    private static final Logger LOG = Logger.getLogger(ModelCaller.class);

    private final OpenAiClient client;
    private final ChatConfig.Model model;

    public ModelCaller(ChatConfig config) {
        this.model = config.model();
        this.client = QuarkusOpenAiClient.builder().baseUrl(model.baseUrl()).openAiApiKey(model.apiKey())
                .connectTimeout(model.timeout()).readTimeout(model.timeout()).build();
    }

    @Retry(maxRetries = 3, delay = 300, delayUnit = ChronoUnit.MILLIS, jitter = 100,
            maxDuration = 5, durationUnit = ChronoUnit.MINUTES, retryOn = ModelException.BeforeFirstToken.class,
            abortOn = ModelException.Cancelled.class)
    @ExponentialBackoff(factor = 2, maxDelay = 5000)
    public ModelStream open(ChatRequest request, Duration firstTokenTimeout, CancelSignal cancel,
                            ModelStream.FirstText firstText) {
        if (cancel.cancelled()) {
            throw new ModelException.Cancelled();
        }
        ModelStream stream = new ModelStream(firstText);
        // registered before the request goes out: from here on a cancel closes this stream and wakes the wait
        cancel.attach(stream);
        ChatCompletionRequest req = OpenAiUtils.toOpenAiChatRequest(request,
                        OpenAiChatRequestParameters.builder().overrideWith(request.parameters())
                                .modelName(model.name()).maxOutputTokens(model.maxTokens()).build(),
                        false, false)
                .stream(true).streamOptions(StreamOptions.builder().includeUsage(true).build()).build();
        OpenAiStreamingResponseBuilder assembled = new OpenAiStreamingResponseBuilder();
        try {
            ResponseHandle handle = client.chatCompletion(req)
                    .onPartialResponse(chunk -> {
                        assembled.append(chunk);
                        String text = text(chunk);
                        if (text != null && !text.isEmpty()) {
                            stream.text(text);
                        }
                    })
                    .onComplete(() -> stream.offer(new ModelStream.Complete(assembled.build())))
                    .onError(e -> stream.offer(new ModelStream.Failed(e)))
                    .execute();
            stream.handle(handle::cancel);
        } catch (RuntimeException e) {
            stream.cancel();
            throw ModelException.classify(e, true);
        }
        ModelStream.Signal first;
        boolean expired = false;
        try {
            first = stream.poll(firstTokenTimeout.toMillis());
            if (first == null) {
                // false when the first text arrived just as the wait ran out: it is being queued
                expired = stream.expire();
                first = expired ? null : stream.poll(firstTokenTimeout.toMillis());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stream.cancel();
            throw new ModelException.Cancelled();
        }
        if (cancel.cancelled() || (!expired && stream.cancelled())) {
            stream.cancel();
            throw new ModelException.Cancelled();
        }
        if (first == null) {
            stream.cancel();
            LOG.debugf("no first token within %s", firstTokenTimeout);
            throw new ModelException.BeforeFirstToken("timeout", "model timeout: no first token", null);
        }
        if (first instanceof ModelStream.Failed f) {
            stream.cancel();
            throw ModelException.classify(f.error(), true);
        }
        stream.first(first);
        return stream;
    }

    private static String text(ChatCompletionResponse chunk) {
        if (chunk == null || chunk.choices() == null || chunk.choices().isEmpty()) {
            return null;
        }
        ChatCompletionChoice c = chunk.choices().get(0);
        return c == null || c.delta() == null ? null : c.delta().content();
    }
}
