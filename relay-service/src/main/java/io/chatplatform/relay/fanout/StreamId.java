package io.chatplatform.relay.fanout;

/** A Redis stream entry id ({@code ms-seq}); ids of one stream are totally ordered by (ms, seq). */
public record StreamId(long ms, long seq) implements Comparable<StreamId> {

    /** Parses {@code ms-seq} (or a bare {@code ms}); null for anything else. */
    public static StreamId parse(String s) {
        if (s == null || s.isEmpty() || s.length() > 41) {
            return null;
        }
        try {
            int dash = s.indexOf('-');
            if (dash < 0) {
                return new StreamId(Long.parseUnsignedLong(s), 0);
            }
            return new StreamId(Long.parseUnsignedLong(s.substring(0, dash)), Long.parseUnsignedLong(s.substring(dash + 1)));
        } catch (NumberFormatException e) {
            return null;
        }
    }

    @Override
    public int compareTo(StreamId o) {
        int c = Long.compareUnsigned(ms, o.ms);
        return c != 0 ? c : Long.compareUnsigned(seq, o.seq);
    }

    @Override
    public String toString() {
        return Long.toUnsignedString(ms) + "-" + Long.toUnsignedString(seq);
    }
}
