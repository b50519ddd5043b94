package io.chatplatform.relay;

import io.chatplatform.relay.fanout.EventCodec;
import io.chatplatform.relay.fanout.RelayEvent;
import io.chatplatform.relay.fanout.StreamId;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

/** Envelope parsing: ts in either format, stream ids, and both stream entry layouts. */
class EventCodecTest {

    final EventCodec codec = new EventCodec(new ObjectMapper());

    @Test
    void tsAcceptsEpochMillisAndIso8601() {
        assertEquals(1_700_000_000_123L, codec.fromPublished("{\"type\":\"x\",\"ts\":1700000000123}").tsMillis());
        assertEquals(1_700_000_000_123L,
                codec.fromPublished("{\"type\":\"x\",\"ts\":\"2023-11-14T22:13:20.123Z\"}").tsMillis());
        assertEquals(1_700_000_000_123L,
                codec.fromPublished("{\"type\":\"x\",\"ts\":\"2023-11-14T23:13:20.123+01:00\"}").tsMillis());
        assertEquals(-1, codec.fromPublished("{\"type\":\"x\"}").tsMillis());
        assertNull(codec.fromPublished("not json"));
    }

    @Test
    void streamIdsCompareAsMillisThenSequence() {
        assertTrue(StreamId.parse("1700000000000-10").compareTo(StreamId.parse("1700000000000-9")) > 0);
        assertTrue(StreamId.parse("1700000000001-0").compareTo(StreamId.parse("1700000000000-99")) > 0);
        assertEquals(0, StreamId.parse("5-1").compareTo(new StreamId(5, 1)));
        assertNull(StreamId.parse("abc"));
        assertNull(StreamId.parse("1-2-3"));
    }

    @Test
    void streamEntriesInChatServiceLayoutKeepTheirJsonAndGetTheEntryId() throws Exception {
        RelayEvent e = codec.fromStreamEntry("1700000000000-3",
                List.of("type", "message.delta", "data", "{\"type\":\"message.delta\",\"delta\":\"hi\",\"ts\":5}"));
        var node = new ObjectMapper().readTree(e.json());
        assertEquals("1700000000000-3", node.get("id").asText());
        assertEquals("hi", node.get("delta").asText());
        assertEquals(new StreamId(1_700_000_000_000L, 3), e.id());
        assertEquals(5, e.tsMillis());
        // an entry without event JSON in "data" is skipped, not forwarded half-formed
        assertNull(codec.fromStreamEntry("9-0", List.of("type", "typing", "state", "on")));
        assertNull(codec.fromStreamEntry("9-1", List.of("type", "message.delta", "data", "not json")));
    }
}
