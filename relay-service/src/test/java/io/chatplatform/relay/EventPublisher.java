package io.chatplatform.relay;

import java.util.List;

import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;

/**
 * Publishes events the way chat-service does: one Lua script appends to chat:stream:{sid} (fields type, data) and
 * publishes the same JSON, carrying the entry id as "id", on chat:events:{sid}.
 */
public final class EventPublisher implements AutoCloseable {

    static final String SCRIPT = """
            local ev = cjson.decode(ARGV[1])
            local id = redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[2], '*', 'type', ev['type'], 'data', ARGV[1])
            ev['id'] = id
            redis.call('PUBLISH', KEYS[2], cjson.encode(ev))
            redis.call('EXPIRE', KEYS[1], 86400)
            return id
            """;

    private final Vertx vertx = Vertx.vertx();
    private final Redis redis = Redis.createClient(vertx, "redis://127.0.0.1:6379");

    /** Appends and publishes; returns the stream id. */
    public String publish(String sessionId, String type, String extraJson, int maxLen) {
        String json = "{\"type\":\"" + type + "\",\"session_id\":\"" + sessionId + "\",\"message_id\":\"m1\",\"ts\":"
                + System.currentTimeMillis() + (extraJson == null ? "" : "," + extraJson) + "}";
        return redis.send(Request.cmd(Command.EVAL).arg(SCRIPT).arg(2).arg("chat:stream:{" + sessionId + "}")
                .arg("chat:events:{" + sessionId + "}").arg(json).arg(maxLen)).toCompletionStage().toCompletableFuture()
                .join().toString();
    }

    public String delta(String sessionId, int n) {
        return publish(sessionId, "message.delta", "\"delta\":\"t" + n + "\",\"n\":" + n, 1000);
    }

    /** A pub/sub-only publish (not in the stream), e.g. typing. */
    public void publishOnly(String sessionId, String json) {
        redis.send(Request.cmd(Command.PUBLISH).arg("chat:events:{" + sessionId + "}").arg(json))
                .toCompletionStage().toCompletableFuture().join();
    }

    /** Any command; the reply as text. */
    public String command(String cmd, String... args) {
        Request r = Request.cmd(Command.create(cmd));
        for (String a : args) {
            r.arg(a);
        }
        io.vertx.redis.client.Response resp = redis.send(r).toCompletionStage().toCompletableFuture().join();
        return resp == null ? null : resp.toString();
    }

    public void delete(List<String> sessionIds) {
        for (String s : sessionIds) {
            redis.send(Request.cmd(Command.DEL).arg("chat:stream:{" + s + "}")).toCompletionStage()
                    .toCompletableFuture().join();
        }
    }

    @Override
    public void close() {
        redis.close();
        vertx.close();
    }
}
