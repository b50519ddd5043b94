package io.chatplatform.relay;

/**
 * One event as it goes to browsers: the JSON text exactly as chat-service wrote it (opaque beyond the
 * envelope), its stream id (null for pub/sub-only events such as typing) and its {@code ts} in epoch millis
 * (or -1 when absent), used for the delivery-lag histogram.
 */
public record RelayEvent(StreamId id, String json, long tsMillis) {
}
