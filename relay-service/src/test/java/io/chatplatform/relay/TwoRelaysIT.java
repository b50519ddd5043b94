package io.chatplatform.relay;

import io.chatplatform.relay.socket.RelayCloseCodes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Two real relay processes started from the built application (target/quarkus-app), sharing Redis, with
 * session-service faked by WireMock: fan-out reaches clients on both, and a relay shut down with SIGTERM drains
 * its clients, which resume on the other relay without losing or repeating an event.
 */
class TwoRelaysIT {

    static final List<Process> relays = new ArrayList<>();
    static final List<Integer> ports = new ArrayList<>();
    static EventPublisher events;
    static final List<String> sessions = new ArrayList<>();

    @BeforeAll
    static void startRelays() throws Exception {
        // The relays are started as JVM processes from the fast-jar; a native build (-Pnative) has no jar.
        org.junit.jupiter.api.Assumptions.assumeFalse(Boolean.getBoolean("relay.it.native"),
                "TwoRelaysIT starts JVM relays from the fast-jar: skipped for the native build (-Pnative)");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.exists(jar()),
                "TwoRelaysIT needs target/quarkus-app/quarkus-run.jar (a JVM package build): skipped");
        FakeNeighbours.boot();
        events = new EventPublisher();
        for (int i = 0; i < 2; i++) {
            int port = freePort();
            relays.add(start(port, i));
            ports.add(port);
        }
        for (int port : ports) {
            awaitReady(port);
        }
    }

    @AfterAll
    static void stopRelays() throws Exception {
        for (Process p : relays) {
            p.destroy();
        }
        for (Process p : relays) {
            p.waitFor();
        }
        if (events != null) {
            events.delete(sessions);
            events.close();
        }
        if (FakeNeighbours.server != null) {
            FakeNeighbours.server.stop();
            FakeNeighbours.server = null;
        }
    }

    static Path jar() {
        return Path.of(System.getProperty("user.dir"), "target", "quarkus-app", "quarkus-run.jar");
    }

    static Process start(int port, int index) throws IOException {
        Path target = Path.of(System.getProperty("user.dir"), "target");
        Path jar = jar();
        String java = ProcessHandle.current().info().command().orElse("java");
        String wiremock = "http://localhost:" + FakeNeighbours.server.port();
        List<String> cmd = List.of(java,
                "-Dquarkus.http.port=" + port,
                "-Dquarkus.management.port=" + managementPort(port),
                "-Dmp.jwt.verify.publickey.location=" + target.resolve("test-classes/test-publicKey.pem"),
                "-Dquarkus.rest-client.session-service.url=" + wiremock,
                "-Dquarkus.rest-client.chat-service.url=" + wiremock,
                "-Drelay.allowed-origins=http://localhost:8080",
                "-Dquarkus.redis.hosts=redis://127.0.0.1:6379",
                "-Dquarkus.log.console.json.enabled=false",
                "-Drelay.drain.grace=300ms",
                "-jar", jar.toString());
        File log = target.resolve("relay-it-" + index + ".log").toFile();
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log).start();
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** Where a relay started here serves health and metrics (its management interface), by its HTTP port. */
    static final java.util.Map<Integer, Integer> management = new java.util.concurrent.ConcurrentHashMap<>();

    static int managementPort(int httpPort) {
        return management.computeIfAbsent(httpPort, p -> managementPort());
    }

    /** A free port for a management interface (the ITs' packaged relay). */
    static int managementPort() {
        try {
            return freePort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static void awaitReady(int port) throws Exception {
        long deadline = System.currentTimeMillis() + 60_000;
        while (System.currentTimeMillis() < deadline) {
            try {
                HttpResponse<String> r = WsClient.HTTP.send(HttpRequest.newBuilder(URI.create("http://localhost:" + managementPort(port)
                        + "/q/health/ready")).timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(250);
        }
        throw new AssertionError("relay on port " + port + " not ready");
    }

    static String newSession(String token) {
        String session = UUID.randomUUID().toString();
        sessions.add(session);
        FakeNeighbours.own(session, token);
        return session;
    }

    static List<Integer> numbers(List<JsonNode> frames) {
        List<Integer> out = new ArrayList<>();
        for (JsonNode f : frames) {
            out.add(f.get("n").asInt());
        }
        return out;
    }

    @Test
    void fanOutReachesClientsOnBothRelays() throws Exception {
        String token = TestTokens.token(UUID.randomUUID().toString());
        String session = newSession(token);
        List<WsClient> clients = new ArrayList<>();
        for (int port : ports) {
            for (int k = 0; k < 2; k++) {
                WsClient c = WsClient.connect(port, session, token, null);
                c.nextOfType("ready", 10000);
                clients.add(c);
            }
        }
        List<Integer> expected = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            events.delta(session, i);
            expected.add(i);
        }
        for (WsClient c : clients) {
            assertEquals(expected, numbers(c.collect("message.delta", 100, 10000)));
            c.close();
        }
    }

    @Test
    void sigtermDrainsClientsWhichResumeOnTheOtherRelayWithoutLossOrRepeat() throws Exception {
        String token = TestTokens.token(UUID.randomUUID().toString());
        String session = newSession(token);
        int survivor = ports.get(1);
        WsClient onVictim = WsClient.connect(ports.get(0), session, token, null);
        onVictim.nextOfType("ready", 10000);

        AtomicBoolean running = new AtomicBoolean(true);
        AtomicInteger published = new AtomicInteger();
        Thread producer = new Thread(() -> {
            while (running.get()) {
                events.delta(session, published.getAndIncrement());
                try {
                    Thread.sleep(5);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        producer.start();
        Thread.sleep(300);

        relays.get(0).destroy(); // SIGTERM: a rolling update
        List<JsonNode> before = new ArrayList<>();
        JsonNode reconnect = null;
        while (reconnect == null) {
            JsonNode f = onVictim.next(15000);
            if (f == null) {
                throw new AssertionError("no reconnect frame");
            }
            if ("reconnect".equals(f.path("type").asText())) {
                reconnect = f;
            } else if ("message.delta".equals(f.path("type").asText())) {
                before.add(f);
            }
        }
        assertTrue(reconnect.get("delay_ms").asInt() >= 0);
        assertEquals(RelayCloseCodes.SERVICE_RESTART, onVictim.awaitClose(10000));

        String lastId = before.get(before.size() - 1).get("id").asText();
        WsClient resumed = WsClient.connect(survivor, session, token, lastId);
        JsonNode ready = resumed.nextOfType("ready", 10000);
        assertTrue(ready.get("recovered").asBoolean());
        Thread.sleep(300);
        running.set(false);
        producer.join();
        int total = published.get();

        List<JsonNode> after = resumed.collect("message.delta", total - before.size(), 15000);
        List<Integer> all = numbers(before);
        all.addAll(numbers(after));
        List<Integer> expected = new ArrayList<>();
        for (int i = 0; i < total; i++) {
            expected.add(i);
        }
        assertEquals(expected, all, "every event once, in order, across the drain");
        resumed.close();
    }
}
