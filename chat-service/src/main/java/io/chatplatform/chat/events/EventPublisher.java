package io.chatplatform.chat.events;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Writes chat events as DESIGN.md says: one Lua script appends each event to {@code chat:stream:{sid}} with
 * {@code XADD *} (Redis picks the id: no XINFO or TIME per event) and PUBLISHes the same JSON with that id as
 * {@code "id"} on {@code chat:events:{sid}}, so the stream and the channel never disagree. The stream entry's
 * {@code data} is the JSON without {@code "id"} (the entry id is authoritative: the relay puts it back).
 * <p>
 * Trimming is per turn: {@code message.created} (the start of a turn, at most one turn per session runs) first
 * trims the stream to about {@value #KEEP} entries, so a long answer in flight is never cut; every call refreshes
 * the 24 h expiry. One call may carry several events (a batch of one turn, in order).
 */
@ApplicationScoped
public class EventPublisher {

    static final String SCRIPT = """
            local ids = {}
            for i = 3, #ARGV, 2 do
              if ARGV[i] == 'message.created' then redis.call('XTRIM', KEYS[1], 'MAXLEN', '~', ARGV[2]) end
              local id = redis.call('XADD', KEYS[1], '*', 'type', ARGV[i], 'data', ARGV[i + 1])
              redis.call('PUBLISH', KEYS[2], '{"id":"' .. id .. '",' .. string.sub(ARGV[i + 1], 2))
              ids[#ids + 1] = id
            end
            redis.call('EXPIRE', KEYS[1], ARGV[1])
            return ids
            """;

    public static final long STREAM_TTL_SECONDS = 24 * 3600;
    static final int KEEP = 1000;

    /** One serialised event. */
    record Event(String type, String json) {
    }

    private final ReactiveRedisDataSource redis;
    private final ObjectMapper mapper;
    private final Duration timeout;
    private final Counter dropped;

    public EventPublisher(ReactiveRedisDataSource redis, ObjectMapper mapper, MeterRegistry registry,
                          @ConfigProperty(name = "quarkus.redis.timeout", defaultValue = "10s") Duration timeout) {
        this.redis = redis;
        this.mapper = mapper;
        this.timeout = timeout;
        this.dropped = Counter.builder("chat_events_dropped_total")
                .description("events not published (Redis unavailable); clients reload from history").register(registry);
    }

    public static String streamKey(String sessionId) {
        return "chat:stream:{" + sessionId + "}";
    }

    public static String channel(String sessionId) {
        return "chat:events:{" + sessionId + "}";
    }

    /** An ordered, best-effort publisher for one turn's events. */
    public EventSink sink(String sessionId, String messageId) {
        return new EventSink(this, sessionId, messageId);
    }

    Event event(String type, String sessionId, String messageId, Map<String, Object> fields) {
        ObjectNode env = mapper.createObjectNode();
        env.put("type", type);
        env.put("session_id", sessionId);
        env.put("message_id", messageId);
        env.put("ts", System.currentTimeMillis());
        fields.forEach((k, v) -> env.set(k, mapper.valueToTree(v)));
        try {
            return new Event(type, mapper.writeValueAsString(env));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("event not serialisable", e);
        }
    }

    /**
     * Publishes the events in order in one round trip, without a thread waiting for it (the reply completes the
     * Uni on the Redis client's event loop); a Redis that does not answer within {@code quarkus.redis.timeout}
     * fails it, as a blocking call would.
     */
    Uni<Void> publish(String sessionId, List<Event> events) {
        List<String> args = new ArrayList<>(5 + 2 * events.size());
        args.add(SCRIPT);
        args.add("2");
        args.add(streamKey(sessionId));
        args.add(channel(sessionId));
        args.add(Long.toString(STREAM_TTL_SECONDS));
        args.add(Integer.toString(KEEP));
        for (Event e : events) {
            args.add(e.type());
            args.add(e.json());
        }
        return redis.execute("EVAL", args.toArray(String[]::new)).ifNoItem().after(timeout).fail().replaceWithVoid();
    }

    void dropped(int n) {
        dropped.increment(n);
    }
}
