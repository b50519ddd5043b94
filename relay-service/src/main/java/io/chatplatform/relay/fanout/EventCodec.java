package io.chatplatform.relay.fanout;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.List;

import jakarta.inject.Singleton;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** Reads the event envelope (id, ts) and turns stream entries back into the published JSON. */
// no client proxy: called for every event on the event loops
@Singleton
public class EventCodec {

    /** The stream entry field holding the event JSON (chat-service writes {@code type} and {@code data}). */
    static final String DATA_FIELD = "data";

    private final ObjectMapper mapper;

    public EventCodec(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    public ObjectMapper mapper() {
        return mapper;
    }

    /** A pub/sub message: the JSON as published (with its stream id as {@code id}); null if not a JSON object. */
    public RelayEvent fromPublished(String json) {
        return fromPublished(json.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * The same from the bytes Redis delivered. Only the envelope is read, with Jackson's streaming parser (no tree):
     * the top-level {@code id} and {@code ts}; nested values are skipped but still checked to be well-formed JSON.
     */
    public RelayEvent fromPublished(byte[] utf8) {
        try (JsonParser p = mapper.getFactory().createParser(utf8)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            String id = null;
            long ts = -1;
            JsonToken t;
            while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken v = p.nextToken();
                if ("id".equals(name) && v == JsonToken.VALUE_STRING) {
                    id = p.getText();
                } else if ("ts".equals(name)) {
                    ts = v.isNumeric() ? p.getValueAsLong()
                            : v == JsonToken.VALUE_STRING ? ts(p.getText()) : -1;
                } else {
                    p.skipChildren();
                }
            }
            if (t != JsonToken.END_OBJECT || p.nextToken() != null) {
                return null;
            }
            return new RelayEvent(StreamId.parse(id), utf8, ts);
        } catch (IOException e) {
            return null;
        }
    }

    /**
     * A stream entry: the event JSON as published lives in its {@code data} field; the entry id is
     * authoritative for {@code id}. An entry without readable JSON there is not an event (null).
     */
    public RelayEvent fromStreamEntry(String entryId, List<String> fieldsAndValues) {
        ObjectNode node = null;
        for (int i = 0; i + 1 < fieldsAndValues.size(); i += 2) {
            if (DATA_FIELD.equals(fieldsAndValues.get(i))) {
                try {
                    JsonNode n = mapper.readTree(fieldsAndValues.get(i + 1));
                    if (n != null && n.isObject()) {
                        node = (ObjectNode) n;
                    }
                } catch (JsonProcessingException e) {
                    // not an event
                }
                break;
            }
        }
        if (node == null) {
            return null;
        }
        node.put("id", entryId);
        try {
            return new RelayEvent(StreamId.parse(entryId), mapper.writeValueAsBytes(node), ts(node.get("ts")));
        } catch (JsonProcessingException e) {
            return null;
        }
    }

    /** chat-service writes {@code ts} as epoch millis or ISO-8601; -1 when absent or unreadable. */
    static long ts(JsonNode ts) {
        if (ts == null || ts.isNull()) {
            return -1;
        }
        if (ts.isNumber()) {
            return ts.asLong();
        }
        return ts(ts.asText());
    }

    static long ts(String s) {
        try {
            return Instant.parse(s).toEpochMilli();
        } catch (DateTimeParseException e) {
            try {
                return OffsetDateTime.parse(s).toInstant().toEpochMilli();
            } catch (DateTimeParseException e2) {
                try {
                    return Long.parseLong(s);
                } catch (NumberFormatException e3) {
                    return -1;
                }
            }
        }
    }

    public String frame(String type, Object... kv) {
        ObjectNode n = mapper.createObjectNode();
        n.put("type", type);
        for (int i = 0; i + 1 < kv.length; i += 2) {
            n.set((String) kv[i], mapper.valueToTree(kv[i + 1]));
        }
        return n.toString();
    }
}
