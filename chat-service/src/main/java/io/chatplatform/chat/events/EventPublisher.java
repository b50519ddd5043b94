package io.chatplatform.chat.events;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.redis.datasource.RedisDataSource;
import io.vertx.mutiny.redis.client.Response;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.Map;

/**
 * Writes chat events as DESIGN.md says: one Lua script XADDs to {@code chat:stream:{sid}} (MAXLEN ~ 1000,
 * key expiring after 24 h of silence) and PUBLISHes the same JSON, with the stream entry id as {@code id},
 * on {@code chat:events:{sid}}, so the stream and the channel never disagree.
 * <p>
 * The stream entry has the fields {@code type} and {@code data}; {@code data} is the full envelope JSON
 * including {@code "id"}. Because the entry id is only known once XADD ran, the script first reserves the
 * next id (current server millisecond, or the last id + 1 sequence if the clock has not advanced) and
 * then XADDs with that explicit id. {@code ts} is epoch milliseconds (number).
 */
@ApplicationScoped
public class EventPublisher {

    static final String SCRIPT = """
            local last = '0-0'
            local info = redis.pcall('XINFO', 'STREAM', KEYS[1])
            if type(info) == 'table' and not info.err then
              for i = 1, #info, 2 do
                if info[i] == 'last-generated-id' then last = info[i + 1] end
              end
            end
            local t = redis.call('TIME')
            local ms = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
            local lms, lseq = string.match(last, '^(%d+)-(%d+)$')
            lms = tonumber(lms); lseq = tonumber(lseq)
            local id
            if ms > lms then id = string.format('%d-0', ms) else id = string.format('%d-%d', lms, lseq + 1) end
            local data = '{"id":"' .. id .. '",' .. string.sub(ARGV[2], 2)
            redis.call('XADD', KEYS[1], 'MAXLEN', '~', '1000', id, 'type', ARGV[1], 'data', data)
            redis.call('EXPIRE', KEYS[1], ARGV[3])
            redis.call('PUBLISH', KEYS[2], data)
            return id
            """;

    public static final long STREAM_TTL_SECONDS = 24 * 3600;

    private final RedisDataSource redis;
    private final ObjectMapper mapper;

    public EventPublisher(RedisDataSource redis, ObjectMapper mapper) {
        this.redis = redis;
        this.mapper = mapper;
    }

    public static String streamKey(String sessionId) {
        return "chat:stream:{" + sessionId + "}";
    }

    public static String channel(String sessionId) {
        return "chat:events:{" + sessionId + "}";
    }

    /** Publishes one event; returns its stream id. {@code fields} are the type-specific members. */
    public String publish(String type, String sessionId, String messageId, Map<String, Object> fields) {
        ObjectNode env = mapper.createObjectNode();
        env.put("type", type);
        env.put("session_id", sessionId);
        env.put("message_id", messageId);
        env.put("ts", System.currentTimeMillis());
        fields.forEach((k, v) -> env.set(k, mapper.valueToTree(v)));
        String json;
        try {
            json = mapper.writeValueAsString(env);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("event not serialisable", e);
        }
        Response r = redis.execute("EVAL", SCRIPT, "2", streamKey(sessionId), channel(sessionId),
                type, json, Long.toString(STREAM_TTL_SECONDS));
        return r.toString();
    }
}
