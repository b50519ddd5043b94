import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * The publisher of the fan-out benchmark (its own process, apart from the clients): one event to each of
 * SESSIONS sessions per round, rounds 1000/rate ms apart, for a number of seconds, through chat-service's own
 * Lua script (EventPublisher.SCRIPT: reserve the next stream id, XADD chat:stream:{sid} with type+data,
 * EXPIRE, PUBLISH chat:events:{sid}), loaded once and called with EVALSHA, pipelined per round.
 * Args: redisHost redisPort runId sessions ratePerSession seconds phase. Prints
 * {@code DONE perSession achievedEventsPerSecond lateRounds}.
 */
public class Publisher {

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

    public static void main(String[] args) throws Exception {
        String host = args[0];
        int port = Integer.parseInt(args[1]);
        String runId = args[2];
        int sessions = Integer.parseInt(args[3]);
        double rate = Double.parseDouble(args[4]);
        double seconds = Double.parseDouble(args[5]);
        int phase = Integer.parseInt(args[6]);
        int rounds = (int) Math.round(rate * seconds);
        long intervalNanos = (long) (1e9 / rate);
        String[] streams = new String[sessions];
        String[] channels = new String[sessions];
        String[] prefix = new String[sessions];
        for (int i = 0; i < sessions; i++) {
            String sid = "bench-" + runId + "-" + i;
            streams[i] = "chat:stream:{" + sid + "}";
            channels[i] = "chat:events:{" + sid + "}";
            prefix[i] = "{\"type\":\"message.delta\",\"session_id\":\"" + sid + "\",\"message_id\":\"m-" + sid
                    + "\",\"delta\":\"tok \",\"phase\":" + phase + ",\"n\":";
        }
        int late = 0;
        try (Resp redis = new Resp(host, port)) {
            redis.write("SCRIPT", "LOAD", SCRIPT);
            redis.flush();
            String sha = redis.bulk();
            long start = System.nanoTime();
            for (int r = 0; r < rounds; r++) {
                long due = start + r * intervalNanos;
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                } else if (wait < -intervalNanos) {
                    late++;
                }
                for (int i = 0; i < sessions; i++) {
                    String json = prefix[i] + r + ",\"ts\":" + System.currentTimeMillis() + ",\"sent_nanos\":"
                            + System.nanoTime() + "}";
                    redis.write("EVALSHA", sha, "2", streams[i], channels[i], "message.delta", json, "600");
                }
                redis.flush();
                redis.skipReplies(sessions);
            }
            double spent = (System.nanoTime() - start) / 1e9;
            System.out.printf(java.util.Locale.ROOT, "DONE %d %.0f %d%n", rounds, (double) rounds * sessions / spent, late);
        }
    }

    /** Just enough RESP for pipelined commands. */
    static final class Resp implements AutoCloseable {
        final Socket socket;
        final OutputStream out;
        final InputStream in;

        Resp(String host, int port) throws IOException {
            socket = new Socket(host, port);
            socket.setTcpNoDelay(true);
            out = new BufferedOutputStream(socket.getOutputStream(), 1 << 16);
            in = new BufferedInputStream(socket.getInputStream(), 1 << 16);
        }

        void write(String... parts) throws IOException {
            StringBuilder sb = new StringBuilder().append('*').append(parts.length).append("\r\n");
            for (String p : parts) {
                sb.append('$').append(p.getBytes(StandardCharsets.UTF_8).length).append("\r\n").append(p).append("\r\n");
            }
            out.write(sb.toString().getBytes(StandardCharsets.UTF_8));
        }

        void flush() throws IOException {
            out.flush();
        }

        String bulk() throws IOException {
            String line = line();
            if (line.charAt(0) != '$') {
                throw new IOException("redis: " + line);
            }
            String v = new String(in.readNBytes(Integer.parseInt(line.substring(1))), StandardCharsets.UTF_8);
            in.readNBytes(2);
            return v;
        }

        void skipReplies(int n) throws IOException {
            for (int i = 0; i < n; i++) {
                String line = line();
                char t = line.charAt(0);
                if (t == '-') {
                    throw new IOException("redis: " + line);
                }
                if (t == '$') {
                    int len = Integer.parseInt(line.substring(1));
                    if (len >= 0) {
                        in.readNBytes(len + 2);
                    }
                }
            }
        }

        String line() throws IOException {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            int c;
            while ((c = in.read()) != '\r') {
                if (c < 0) {
                    throw new IOException("redis closed");
                }
                b.write(c);
            }
            in.read();
            return b.toString(StandardCharsets.UTF_8);
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
