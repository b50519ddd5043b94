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

    /** The ingress exposes the health paths it names and nothing else of the services' /q/ routes. */
    @ParameterizedTest
    @ValueSource(strings = {"/q/metrics", "/q/openapi", "/q/health", "/q/health/ready", "/q/auth/metrics",
            "/q/relay/openapi", "/q/dev-ui"})
    void noManagementRouteBeyondTheNamedHealthPaths(String path) throws Exception {
        HttpResponse<String> r = get(path);
        assertEquals(404, r.statusCode(), path + ": " + r.body());
        assertEquals("application/problem+json", r.headers().firstValue("Content-Type").orElse(""), path);
    }

    /**
     * Only nginx listens beyond loopback: each service (its HTTP and its management port) and the stand-in
     * answer on 127.0.0.1 and refuse a connection to another address of this machine.
     */
    @Test
    void servicesListenOnLoopbackOnly() throws Exception {
        java.net.InetAddress outside = java.util.Collections.list(java.net.NetworkInterface.getNetworkInterfaces()).stream()
                .flatMap(i -> java.util.Collections.list(i.getInetAddresses()).stream())
                .filter(a -> a instanceof java.net.Inet4Address && !a.isLoopbackAddress())
                .findFirst().orElse(null);
        org.junit.jupiter.api.Assumptions.assumeTrue(outside != null, "this machine has no non-loopback IPv4 address");
        java.util.Map<String, Integer> ports = new java.util.TreeMap<>(LocalStack.PORTS);
        LocalStack.PORTS.forEach((name, port) -> {
            if (!name.equals("llm-stub")) {
                ports.put(name + " management", LocalStack.managementPort(port));
            }
        });
        for (var e : ports.entrySet()) {
            try (java.net.Socket s = new java.net.Socket()) {
                s.connect(new java.net.InetSocketAddress("127.0.0.1", e.getValue()), 2000);
            }
            try (java.net.Socket s = new java.net.Socket()) {
                s.connect(new java.net.InetSocketAddress(outside, e.getValue()), 2000);
                org.junit.jupiter.api.Assertions.fail(e.getKey() + " listens on " + outside.getHostAddress() + ":" + e.getValue());
            } catch (java.net.ConnectException expected) {
                // refused: bound to loopback only
            }
        }
        try (java.net.Socket s = new java.net.Socket()) {
            s.connect(new java.net.InetSocketAddress(outside, LocalStack.INGRESS_PORT), 2000); // nginx does listen
        }
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(LocalStack.baseUrl() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
