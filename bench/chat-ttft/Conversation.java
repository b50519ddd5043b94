// A session's WebSocket and its turns, for StackBench.java (a multi-file source program: java StackBench.java).

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/** A session with its WebSocket through the ingress, reused turn after turn; one turn at a time. */
final class Conversation implements WebSocket.Listener {
    final String sid;
    WebSocket ws;
    volatile CompletableFuture<Void> ready = new CompletableFuture<>();
    volatile CompletableFuture<Long> firstDelta = new CompletableFuture<>();
    volatile CompletableFuture<String> done = new CompletableFuture<>();
    final StringBuilder partial = new StringBuilder();

    Conversation(String sid) {
        this.sid = sid;
    }

    /** Opens the socket when it is not (first use, or the relay closed it, e.g. 4001 at token expiry). */
    void open() throws Exception {
        if (ws != null && !ws.isInputClosed() && !ws.isOutputClosed()) {
            return;
        }
        ready = new CompletableFuture<>();
        String proto = URLEncoder.encode("quarkus-http-upgrade#Authorization#Bearer " + Api.token(), StandardCharsets.UTF_8)
                .replace("+", "%20");
        ws = Api.HTTP.newWebSocketBuilder().header("Origin", Api.ORIGIN).subprotocols("quarkus", proto)
                .connectTimeout(Duration.ofSeconds(20))
                .buildAsync(URI.create(Api.INGRESS.replaceFirst("^http", "ws") + "/ws/sessions/" + sid), this)
                .get(30, TimeUnit.SECONDS);
        ready.get(30, TimeUnit.SECONDS);
    }

    void newTurn() {
        firstDelta = new CompletableFuture<>();
        done = new CompletableFuture<>();
    }

    void drop() {
        if (ws != null) {
            ws.abort();
            ws = null;
        }
    }

    @Override
    public void onOpen(WebSocket ws) {
        ws.request(1);
    }

    @Override
    public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
        long now = System.nanoTime();
        partial.append(data);
        if (last) {
            String s = partial.toString();
            partial.setLength(0);
            // this turn's futures, read once: once done completes, the turn's thread may start the next
            // turn and replace them, and a late write to the new ones would fail a turn that has not begun
            CompletableFuture<Long> delta = firstDelta;
            CompletableFuture<String> end = done;
            if (s.contains("\"type\":\"ready\"")) {
                ready.complete(null);
            } else if (s.contains("\"type\":\"message.delta\"")) {
                delta.complete(now);
            } else if (s.contains("\"type\":\"message.completed\"") || s.contains("\"type\":\"message.failed\"")
                    || s.contains("\"type\":\"error\"")) {
                delta.completeExceptionally(new IllegalStateException("no delta: " + s));
                end.complete(s);
            }
        }
        ws.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket ws, int code, String reason) {
        fail(new IllegalStateException("closed " + code));
        return null;
    }

    @Override
    public void onError(WebSocket ws, Throwable error) {
        fail(error);
    }

    private void fail(Throwable error) {
        ready.completeExceptionally(error);
        firstDelta.completeExceptionally(error);
        done.complete("closed");
    }

    /** One turn: POST /api/chat -> first delta frame on this socket, in ms; then waits for the whole answer. */
    double turn(String message) throws Exception {
        open();
        newTurn();
        long t0 = System.nanoTime();
        HttpResponse<String> r = Api.HTTP.send(Api.api("/api/chat", Api.token()).header("Prefer", "respond-async")
                .POST(HttpRequest.BodyPublishers.ofString("{\"session_id\":\"" + sid + "\",\"message\":\"" + message + "\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 202) {
            throw new IllegalStateException("chat: " + r.statusCode() + " " + r.body());
        }
        long t1;
        try {
            t1 = firstDelta.get(60, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            // say whether the end that came before any delta was this turn's or an earlier one's
            String m = String.valueOf(e.getCause().getMessage());
            if (m.startsWith("no delta: ")) {
                String own = Api.field(r.body(), "message_id");
                throw new IllegalStateException(m.contains("\"message_id\":\"" + own + "\"")
                        ? "no delta before this turn's end" : "no delta: an earlier turn's end arrived", e);
            }
            throw e;
        }
        // a user waits for the whole answer before the next turn: in-flight turns = concurrency
        done.get(60, TimeUnit.SECONDS);
        return (t1 - t0) / 1e6;
    }
}
