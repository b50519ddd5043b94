package io.chatplatform.chat.llm;

import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.PartialResponse;
import dev.langchain4j.model.chat.response.PartialResponseContext;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import io.smallrye.faulttolerance.api.ExponentialBackoff;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.faulttolerance.Retry;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.time.temporal.ChronoUnit;

/**
 * Opens a streaming call to the model and waits for its first signal. Failures before the first token
 * (429, 5xx, connection errors, no first token in time) are retried with exponential backoff by SmallRye
 * Fault Tolerance; once a token has arrived nothing is retried (the user already saw it).
 */
@ApplicationScoped
public class ModelCaller {

    private static final Logger LOG = Logger.getLogger(ModelCaller.class);

    private final StreamingChatModel model;

    public ModelCaller(StreamingChatModel model) {
        this.model = model;
    }

    @Retry(maxRetries = 3, delay = 300, delayUnit = ChronoUnit.MILLIS, jitter = 100,
            maxDuration = 5, durationUnit = ChronoUnit.MINUTES, retryOn = ModelException.BeforeFirstToken.class)
    @ExponentialBackoff(factor = 2, maxDelay = 5000)
    public ModelStream open(ChatRequest request, Duration firstTokenTimeout) {
        ModelStream stream = new ModelStream();
        try {
            model.chat(request, new StreamingChatResponseHandler() {
                @Override
                public void onPartialResponse(PartialResponse partial, PartialResponseContext ctx) {
                    stream.handle(ctx.streamingHandle());
                    stream.offer(new ModelStream.Token(partial.text()));
                }

                @Override
                public void onCompleteResponse(ChatResponse response) {
                    stream.offer(new ModelStream.Complete(response));
                }

                @Override
                public void onError(Throwable error) {
                    stream.offer(new ModelStream.Failed(error));
                }
            });
        } catch (RuntimeException e) {
            throw ModelException.classify(e, true);
        }
        ModelStream.Signal first;
        try {
            first = stream.poll(firstTokenTimeout.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stream.cancel();
            throw new ModelException("cancelled", false, "interrupted", e);
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
}
