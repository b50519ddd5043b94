package io.chatplatform.chat.llm;

import io.chatplatform.chat.ChatConfig;
import io.quarkus.runtime.annotations.RegisterForReflection;
import io.smallrye.config.SmallRyeConfig;
import org.eclipse.microprofile.config.ConfigProvider;
import org.eclipse.microprofile.rest.client.RestClientBuilder;
import org.eclipse.microprofile.rest.client.spi.RestClientListener;
import org.jboss.resteasy.reactive.client.api.QuarkusRestClientProperties;

/**
 * Sizes the model client's HTTP pool to {@code chat.max-concurrent-turns}. quarkus-langchain4j builds its OpenAI
 * REST client programmatically, so no {@code quarkus.rest-client.*} setting reaches it and it would keep the
 * default of 50 connections: at 100 concurrent turns half of them would wait for a connection before the model
 * even saw them. A streaming turn holds one connection from the request to its last token.
 * <p>
 * MicroProfile's {@link RestClientListener} (found through {@code META-INF/services}) is the one hook the REST
 * client offers on a builder it did not create; it sees every client, so it touches only the model's.
 */
@RegisterForReflection
public class ModelClientPool implements RestClientListener {

    static final String MODEL_API = "io.quarkiverse.langchain4j.openai.common.OpenAiRestApi";

    @Override
    public void onNewClient(Class<?> serviceInterface, RestClientBuilder builder) {
        if (MODEL_API.equals(serviceInterface.getName())) {
            int size = ConfigProvider.getConfig().unwrap(SmallRyeConfig.class).getConfigMapping(ChatConfig.class)
                    .maxConcurrentTurns();
            builder.property(QuarkusRestClientProperties.CONNECTION_POOL_SIZE, size);
        }
    }
}
