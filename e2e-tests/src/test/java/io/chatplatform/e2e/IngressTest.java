package io.chatplatform.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The local stack's ingress reaches every service, and each reports itself ready (Redis, DB). */
@Order(1)
@ExtendWith(LocalStack.class)
class IngressTest {

    private final HttpClient http = HttpClient.newHttpClient();
    private final ObjectMapper json = new ObjectMapper();

    @ParameterizedTest
    @ValueSource(strings = {"auth", "session", "chat", "relay"})
    void eachServiceIsReadyThroughTheIngress(String service) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(
                URI.create(LocalStack.baseUrl() + "/q/" + service + "/health/ready")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        JsonNode health = json.readTree(r.body());
        assertEquals("UP", health.path("status").asText());
        // the readiness check covers the service's Redis connection
        assertTrue(r.body().toLowerCase().contains("redis"), "readiness includes Redis: " + r.body());
    }

    @Test
    void routesReachTheirServices() throws Exception {
        // JWKS is public on auth-service
        HttpResponse<String> jwks = get("/api/auth/jwks");
        assertEquals(200, jwks.statusCode());
        assertTrue(json.readTree(jwks.body()).path("keys").size() >= 1);
        // protected routes of session- and chat-service answer 401 problems, not nginx pages
        for (String path : new String[]{"/api/sessions", "/api/search?q=x"}) {
            HttpResponse<String> r = get(path);
            assertEquals(401, r.statusCode(), path);
        }
        HttpResponse<String> chat = http.send(HttpRequest.newBuilder(URI.create(LocalStack.baseUrl() + "/api/chat"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"message\":\"hi\"}")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(401, chat.statusCode());
        // the web UI comes from relay-service
        HttpResponse<String> ui = get("/");
        assertEquals(200, ui.statusCode());
        assertTrue(ui.headers().firstValue("Content-Type").orElse("").startsWith("text/html"));
        // unknown API routes are problems from the ingress itself
        HttpResponse<String> unknown = get("/api/nope");
        assertEquals(404, unknown.statusCode());
        assertEquals("application/problem+json", unknown.headers().firstValue("Content-Type").orElse(""));
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(LocalStack.baseUrl() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
