package io.chatplatform.relay;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** A real WebSocket client (java.net.http) that offers the token the way the browser does. */
public final class WsClient implements WebSocket.Listener {

    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    final LinkedBlockingQueue<JsonNode> frames = new LinkedBlockingQueue<>();
    final CompletableFuture<Integer> closed = new CompletableFuture<>();
    final boolean reading;
    private final StringBuilder partial = new StringBuilder();
    WebSocket ws;

    private WsClient(boolean reading) {
        this.reading = reading;
    }

    public static URI uri(int port, String sessionId, String lastEventId) {
        return URI.create("ws://localhost:" + port + "/ws/sessions/" + sessionId
                + (lastEventId == null ? "" : "?last_event_id=" + URLEncoder.encode(lastEventId, StandardCharsets.UTF_8)));
    }

    public static WsClient connect(int port, String sessionId, String token, String lastEventId) {
        return connect(uri(port, sessionId, lastEventId), token, "http://localhost:8080", true);
    }

    /** Opens the connection; throws {@link HandshakeFailed} with the HTTP status when the server refuses it. */
    public static WsClient connect(URI uri, String token, String origin, boolean reading) {
        WsClient c = new WsClient(reading);
        // a bound, not a timing: the first upgrade of a cold relay on a loaded shared machine took over 5 s
        WebSocket.Builder b = HTTP.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(20));
        if (origin != null) {
            b.header("Origin", origin);
        }
        if (token != null) {
            b.subprotocols("quarkus", URLEncoder.encode("quarkus-http-upgrade#Authorization#Bearer " + token,
                    StandardCharsets.UTF_8).replace("+", "%20"));
        }
        try {
            c.ws = b.buildAsync(uri, c).join();
            return c;
        } catch (CompletionException e) {
            if (e.getCause() instanceof WebSocketHandshakeException h) {
                throw new HandshakeFailed(h.getResponse().statusCode(), h.getResponse().headers());
            }
            throw e;
        }
    }

    public static int refusedStatus(URI uri, String token, String origin) {
        try {
            WsClient c = connect(uri, token, origin, true);
            c.abort();
            return 101;
        } catch (HandshakeFailed e) {
            return e.status;
        }
    }

    public static final class HandshakeFailed extends RuntimeException {
        final int status;
        final java.net.http.HttpHeaders headers;

        HandshakeFailed(int status, java.net.http.HttpHeaders headers) {
            super("handshake refused with HTTP " + status);
            this.status = status;
            this.headers = headers;
        }
    }

    @Override
    public void onOpen(WebSocket webSocket) {
        webSocket.request(1);
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
        partial.append(data);
        if (last) {
            try {
                frames.add(JSON.readTree(partial.toString()));
            } catch (Exception e) {
                frames.add(JSON.createObjectNode().put("type", "unparseable"));
            }
            partial.setLength(0);
        }
        if (reading) {
            webSocket.request(1);
        }
        return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
        closed.complete(statusCode);
        return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
        closed.complete(-1);
    }

    public void send(String text) {
        ws.sendText(text, true).join();
    }

    public JsonNode next(long millis) throws InterruptedException {
        return frames.poll(millis, TimeUnit.MILLISECONDS);
    }

    /** Next frame of the given type, skipping others; fails after the timeout. */
    public JsonNode nextOfType(String type, long millis) throws InterruptedException {
        long deadline = System.currentTimeMillis() + millis;
        while (true) {
            long left = deadline - System.currentTimeMillis();
            JsonNode f = left <= 0 ? null : frames.poll(left, TimeUnit.MILLISECONDS);
            if (f == null) {
                throw new AssertionError("no '" + type + "' frame within " + millis + " ms");
            }
            if (type.equals(f.path("type").asText())) {
                return f;
            }
        }
    }

    /** Collects frames of the given type until {@code n} arrived or the timeout passed. */
    public List<JsonNode> collect(String type, int n, long millis) throws InterruptedException {
        List<JsonNode> out = new ArrayList<>();
        long deadline = System.currentTimeMillis() + millis;
        while (out.size() < n) {
            long left = deadline - System.currentTimeMillis();
            JsonNode f = left <= 0 ? null : frames.poll(left, TimeUnit.MILLISECONDS);
            if (f == null) {
                break;
            }
            if (type == null || type.equals(f.path("type").asText())) {
                out.add(f);
            }
        }
        return out;
    }

    public int awaitClose(long millis) {
        try {
            return closed.get(millis, TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            throw new AssertionError("connection not closed within " + millis + " ms");
        }
    }

    public void abort() {
        if (ws != null) {
            ws.abort();
        }
    }

    public void close() {
        if (ws != null && !ws.isOutputClosed()) {
            ws.sendClose(1000, "bye").exceptionally(e -> null);
        }
    }
}
