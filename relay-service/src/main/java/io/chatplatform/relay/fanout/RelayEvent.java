package io.chatplatform.relay.fanout;

import java.nio.charset.StandardCharsets;

/**
 * One event as it goes to browsers: the JSON exactly as chat-service wrote it (opaque beyond the envelope), as
 * UTF-8 bytes, the form it has on the wire (encoded once, written to every client as is), its stream id (null for
 * pub/sub-only events such as typing) and its {@code ts} in epoch millis (or -1 when absent), used for the
 * delivery-lag histogram.
 */
public record RelayEvent(StreamId id, byte[] utf8, long tsMillis) {

    public String json() {
        return new String(utf8, StandardCharsets.UTF_8);
    }
}
