package io.chatplatform.llmstub;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** A raw HTTP/1.1 client over a socket: sees chunk timing, abrupt closes and silence exactly as they happen. */
final class StubHttp {

    static final ObjectMapper MAPPER = new ObjectMapper();

    /** One SSE "data:" payload and when its bytes arrived (ms since the request was written). */
    record Event(String data, long atMs) {
        JsonNode json() {
            try {
                return MAPPER.readTree(data);
            } catch (IOException e) {
                throw new AssertionError("not JSON: " + data, e);
            }
        }
    }

    /** Everything a raw exchange produced. */
    record Exchange(String head, List<Event> events, boolean closedByServer, boolean timedOut, int bytes,
                    String rawBody) {
        int status() {
            return head.isEmpty() ? -1 : Integer.parseInt(head.split(" ")[1]);
        }

        boolean done() {
            return events.stream().anyMatch(e -> e.data().equals("[DONE]"));
        }
    }

    private StubHttp() {
    }

    static Exchange post(URL base, String path, String json, Map<String, String> headers, int readTimeoutMs)
            throws IOException {
        try (Socket socket = new Socket(base.getHost(), base.getPort())) {
            socket.setSoTimeout(readTimeoutMs);
            byte[] body = json.getBytes(StandardCharsets.UTF_8);
            StringBuilder req = new StringBuilder("POST " + path + " HTTP/1.1\r\nHost: localhost\r\n"
                    + "Content-Type: application/json\r\nAccept: text/event-stream, application/json\r\n"
                    + "Content-Length: " + body.length + "\r\n");
            headers.forEach((k, v) -> req.append(k).append(": ").append(v).append("\r\n"));
            req.append("\r\n");
            OutputStream out = socket.getOutputStream();
            long start = System.nanoTime();
            out.write(req.toString().getBytes(StandardCharsets.UTF_8));
            out.write(body);
            out.flush();

            InputStream in = socket.getInputStream();
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            List<Event> events = new ArrayList<>();
            StringBuilder pending = new StringBuilder();
            boolean closed = false;
            boolean timedOut = false;
            byte[] buf = new byte[8192];
            while (true) {
                int n;
                try {
                    n = in.read(buf);
                } catch (SocketTimeoutException e) {
                    timedOut = true;
                    break;
                } catch (IOException e) { // connection reset
                    closed = true;
                    break;
                }
                if (n < 0) {
                    closed = true;
                    break;
                }
                long at = (System.nanoTime() - start) / 1_000_000;
                all.write(buf, 0, n);
                pending.append(new String(buf, 0, n, StandardCharsets.UTF_8));
                int idx;
                while ((idx = pending.indexOf("\n")) >= 0) {
                    String line = pending.substring(0, idx).replace("\r", "");
                    pending.delete(0, idx + 1);
                    if (line.startsWith("data: ")) {
                        events.add(new Event(line.substring(6), at));
                    }
                }
                String text = all.toString(StandardCharsets.UTF_8);
                // A complete chunked body or a complete Content-Length body ends the exchange.
                if (text.contains("\r\n0\r\n\r\n") || completeFixedLength(text)) {
                    break;
                }
            }
            String text = all.toString(StandardCharsets.UTF_8);
            int sep = text.indexOf("\r\n\r\n");
            String head = sep < 0 ? text : text.substring(0, sep);
            String raw = sep < 0 ? "" : text.substring(sep + 4);
            return new Exchange(head, events, closed, timedOut, all.size(), raw);
        }
    }

    private static boolean completeFixedLength(String text) {
        int sep = text.indexOf("\r\n\r\n");
        if (sep < 0) {
            return false;
        }
        for (String line : text.substring(0, sep).split("\r\n")) {
            if (line.toLowerCase().startsWith("content-length:")) {
                int len = Integer.parseInt(line.substring(15).trim());
                return text.substring(sep + 4).getBytes(StandardCharsets.UTF_8).length >= len;
            }
        }
        return false;
    }
}
