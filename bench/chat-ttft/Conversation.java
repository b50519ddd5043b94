// A session's WebSocket and its turns, for StackBench.java (a multi-file source program: java StackBench.java).

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;

/** A session with its WebSocket through the ingress, reused turn after turn; one turn at a time. */
final class Conversation implements WebSocket.Listener {
    final String sid;
    WebSocket ws;
    String openedWith;
    volatile WebSocket stale;
    volatile CompletableFuture<Void> ready = new CompletableFuture<>();
    volatile CompletableFuture<Long> firstDelta = new CompletableFuture<>();
    volatile CompletableFuture<String> done = new CompletableFuture<>();
    final StringBuilder partial = new StringBuilder();
    // where a turn's time went, from the events' own "ts" (chat-service's clock, which is this machine's: ms)
    volatile long createdTs, deltaTs, deltaWall;
    volatile Split split;

    /**
     * One turn's time to first token in parts (ms): POST -> 202; POST -> the turn's {@code message.created} built
     * (admission, begin-turn, the turn launched); -> its first {@code message.delta} built (the model call); -> that
     * frame on this socket (published through Redis, relay, ingress). The last three add up to the TTFT, each within 1 ms.
     */
    record Split(double accepted, long preModel, long model, long delivery) {
        static double median(List<Split> parts, ToDoubleFunction<Split> part) {
            double[] v = parts.stream().mapToDouble(part).sorted().toArray();
            return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
        }

        static double mean(List<Split> parts, ToDoubleFunction<Split> part) {
            return parts.stream().mapToDouble(part).average().orElse(Double.NaN);
        }
    }

    Conversation(String sid) {
        this.sid = sid;
    }

    /**
     * Opens the socket when it is not (first use, or the relay closed it), and again, between turns, once the access
     * token it was opened with has been refreshed, as the web UI does: the relay closes a socket with 4001 when its
     * token expires, and a turn in flight on it would lose its frames.
     */
    void open() throws Exception {
        String token = Api.token();
        if (ws != null && !ws.isInputClosed() && !ws.isOutputClosed()) {
            if (token.equals(openedWith)) {
                return;
            }
            stale = ws; // its late callbacks are ignored: this listener serves the new socket
            ws.abort();
            ws = null;
        }
        openedWith = token;
        partial.setLength(0);
        ready = new CompletableFuture<>();
        String proto = URLEncoder.encode("quarkus-http-upgrade#Authorization#Bearer " + token, StandardCharsets.UTF_8)
                .replace("+", "%20");
        ws = Api.HTTP.newWebSocketBuilder().header("Origin", Api.ORIGIN).subprotocols("quarkus", proto)
                .connectTimeout(Duration.ofSeconds(20))
                .buildAsync(URI.create(Api.INGRESS.replaceFirst("^http", "ws") + "/ws/sessions/" + sid), this)
                .get(30, TimeUnit.SECONDS);
        ready.get(30, TimeUnit.SECONDS);
    }

    void newTurn() {
        createdTs = 0;
        deltaTs = 0;
        split = null;
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
        if (ws == stale) {
            return null;
        }
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
            } else if (s.contains("\"type\":\"message.created\"")) {
                if (createdTs == 0) {
                    createdTs = ts(s);
                }
            } else if (s.contains("\"type\":\"message.delta\"")) {
                if (!delta.isDone() && deltaTs == 0) {
                    deltaWall = System.currentTimeMillis();
                    deltaTs = ts(s);
                }
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
        if (ws == stale) {
            return null;
        }
        fail(new IllegalStateException("closed " + code));
        return null;
    }

    @Override
    public void onError(WebSocket ws, Throwable error) {
        if (ws == stale) {
            return;
        }
        fail(error);
    }

    private void fail(Throwable error) {
        ready.completeExceptionally(error);
        firstDelta.completeExceptionally(error);
        done.complete("closed");
    }

    /** The {@code ts} of an event frame (epoch ms), 0 when it has none. */
    static long ts(String frame) {
        int i = frame.indexOf("\"ts\":");
        if (i < 0) {
            return 0;
        }
        int end = i + 5;
        while (end < frame.length() && Character.isDigit(frame.charAt(end))) {
            end++;
        }
        return end > i + 5 ? Long.parseLong(frame.substring(i + 5, end)) : 0;
    }

    /** One turn: POST /api/chat -> first delta frame on this socket, in ms; then waits for the whole answer. */
    double turn(String message) throws Exception {
        open();
        newTurn();
        long sent = System.currentTimeMillis();
        long t0 = System.nanoTime();
        HttpResponse<String> r = Api.HTTP.send(Api.api("/api/chat", Api.token()).header("Prefer", "respond-async")
                .POST(HttpRequest.BodyPublishers.ofString("{\"session_id\":\"" + sid + "\",\"message\":\"" + message + "\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        long accepted = System.nanoTime();
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
        if (createdTs > 0 && deltaTs > 0) {
            split = new Split((accepted - t0) / 1e6, createdTs - sent, deltaTs - createdTs, deltaWall - deltaTs);
        }
        return (t1 - t0) / 1e6;
    }
}
