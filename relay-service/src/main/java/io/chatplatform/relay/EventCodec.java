package io.chatplatform.relay;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** Reads the event envelope (id, ts) and turns stream entries back into the published JSON. */
@ApplicationScoped
public class EventCodec {

    /** Stream entry fields that may hold the event JSON, in order of preference. */
    static final List<String> JSON_FIELDS = List.of("event", "data", "json", "payload");

    private final ObjectMapper mapper;

    public EventCodec(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    public ObjectMapper mapper() {
        return mapper;
    }

    /** A pub/sub message: the JSON as published (with its stream id as {@code id}); null if not a JSON object. */
    public RelayEvent fromPublished(String json) {
        try {
            JsonNode node = mapper.readTree(json);
            if (node == null || !node.isObject()) {
                return null;
            }
            return new RelayEvent(StreamId.parse(node.path("id").asText(null)), json, ts(node.get("ts")));
        } catch (JsonProcessingException e) {
            return null;
        }
    }

    /**
     * A stream entry: the event JSON lives in one field (see {@link #JSON_FIELDS}); otherwise the fields themselves
     * are the envelope. The entry id is authoritative for {@code id}.
     */
    public RelayEvent fromStreamEntry(String entryId, List<String> fieldsAndValues) {
        ObjectNode node = null;
        for (String f : JSON_FIELDS) {
            for (int i = 0; i + 1 < fieldsAndValues.size(); i += 2) {
                if (f.equals(fieldsAndValues.get(i))) {
                    try {
                        JsonNode n = mapper.readTree(fieldsAndValues.get(i + 1));
                        if (n != null && n.isObject()) {
                            node = (ObjectNode) n;
                        }
                    } catch (JsonProcessingException e) {
                        // fall through to the flat layout
                    }
                    break;
                }
            }
            if (node != null) {
                break;
            }
        }
        if (node == null) {
            node = mapper.createObjectNode();
            for (int i = 0; i + 1 < fieldsAndValues.size(); i += 2) {
                node.put(fieldsAndValues.get(i), fieldsAndValues.get(i + 1));
            }
        }
        node.put("id", entryId);
        try {
            return new RelayEvent(StreamId.parse(entryId), mapper.writeValueAsString(node), ts(node.get("ts")));
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
        String s = ts.asText();
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
