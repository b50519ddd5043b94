package io.chatplatform.relay;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;

import java.util.Map;

import com.github.tomakehurst.wiremock.WireMockServer;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * session-service and chat-service faked with one WireMock server. Sessions are "owned" only for the exact
 * bearer token a test registers; everything else answers 404, as session-service does for others' sessions.
 */
public class FakeNeighbours implements QuarkusTestResourceLifecycleManager {

    static WireMockServer server;

    public static WireMockServer boot() {
        if (server == null) {
            server = new WireMockServer(wireMockConfig().dynamicPort());
            server.start();
        }
        server.resetAll();
        server.stubFor(any(anyUrl()).atPriority(10).willReturn(aResponse().withStatus(404)
                .withHeader("Content-Type", "application/problem+json").withBody("{\"status\":404}")));
        server.stubFor(com.github.tomakehurst.wiremock.client.WireMock.post(urlEqualTo("/api/chat")).atPriority(5)
                .willReturn(aResponse().withStatus(202).withHeader("Content-Type", "application/json")
                        .withBody("{\"session_id\":\"s\",\"message_id\":\"m\"}")));
        return server;
    }

    public static void own(String sessionId, String token) {
        server.stubFor(get(urlEqualTo("/api/sessions/" + sessionId)).atPriority(1)
                .withHeader("Authorization", equalTo("Bearer " + token))
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/json")
                        .withBody("{\"id\":\"" + sessionId + "\",\"title\":\"t\"}")));
    }

    @Override
    public Map<String, String> start() {
        WireMockServer s = boot();
        String url = "http://localhost:" + s.port();
        return Map.of("quarkus.rest-client.session-service.url", url, "quarkus.rest-client.chat-service.url", url);
    }

    @Override
    public void stop() {
        if (server != null) {
            server.stop();
            server = null;
        }
    }
}
