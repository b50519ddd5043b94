package io.chatplatform.relay;

import io.chatplatform.relay.socket.RelayCloseCodes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.UUID;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/** Server pings keep live clients open; a peer that answers nothing is closed after the idle timeout (1001). */
@QuarkusTest
@TestProfile(IdleTimeoutTest.ShortIdle.class)
@QuarkusTestResource(FakeNeighbours.class)
class IdleTimeoutTest {

    public static class ShortIdle implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("relay.idle-timeout", "2s", "relay.idle-check-interval", "500ms",
                    "quarkus.websockets-next.server.auto-ping-interval", "500ms");
        }
    }

    @ConfigProperty(name = "quarkus.http.test-port")
    int port;

    @Test
    void silentPeerIsClosedWhileAPongingClientStays() throws Exception {
        FakeNeighbours.boot();
        String session = UUID.randomUUID().toString();
        String token = TestTokens.token(UUID.randomUUID().toString());
        FakeNeighbours.own(session, token);

        WsClient live = WsClient.connect(port, session, token, null); // java.net.http answers pings itself
        live.nextOfType("ready", 5000);

        try (Socket raw = new Socket("localhost", port)) {
            raw.setSoTimeout(10000);
            OutputStream out = raw.getOutputStream();
            String proto = URLEncoder.encode("quarkus-http-upgrade#Authorization#Bearer " + token, StandardCharsets.UTF_8)
                    .replace("+", "%20");
            out.write(("GET /ws/sessions/" + session + " HTTP/1.1\r\nHost: localhost:" + port
                    + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                    + "Sec-WebSocket-Version: 13\r\nOrigin: http://localhost:8080\r\nSec-WebSocket-Protocol: quarkus, "
                    + proto + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            DataInputStream in = new DataInputStream(raw.getInputStream());
            StringBuilder head = new StringBuilder();
            while (!head.toString().endsWith("\r\n\r\n")) {
                head.append((char) in.readUnsignedByte());
            }
            assertTrue(head.toString().startsWith("HTTP/1.1 101"), head.toString());
            long start = System.currentTimeMillis();
            int pings = 0;
            int closeCode = -1;
            while (closeCode < 0) { // read frames, answer nothing
                int b0 = in.readUnsignedByte();
                int len = in.readUnsignedByte() & 0x7f;
                if (len == 126) {
                    len = in.readUnsignedShort();
                } else if (len == 127) {
                    len = (int) in.readLong();
                }
                byte[] payload = in.readNBytes(len);
                int opcode = b0 & 0x0f;
                if (opcode == 0x9) {
                    pings++;
                } else if (opcode == 0x8) {
                    closeCode = ((payload[0] & 0xff) << 8) | (payload[1] & 0xff);
                }
            }
            long after = System.currentTimeMillis() - start;
            assertEquals(RelayCloseCodes.GOING_AWAY, closeCode);
            assertTrue(pings >= 2, "server pinged " + pings + " times");
            assertTrue(after >= 1500, "closed after " + after + " ms");
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        assertFalse(live.closed.isDone(), "a client answering pings is not idle");
        live.send("{\"type\":\"ping\"}");
        live.nextOfType("pong", 5000);
        live.close();
    }
}
