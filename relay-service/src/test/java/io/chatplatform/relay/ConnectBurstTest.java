package io.chatplatform.relay;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A reconnect storm: hundreds of tabs connecting at once without {@code last_event_id} (each connect reads its
 * stream for a turn in flight) all get {@code ready}. With the Redis client's default pool (6 connections, 24
 * waiters) most of them were refused (seen in the fan-out benchmark: 1,000 clients, the run failed).
 */
@QuarkusTest
@QuarkusTestResource(FakeNeighbours.class)
class ConnectBurstTest {

    static final int CLIENTS = 300;

    @ConfigProperty(name = "quarkus.http.test-port")
    int port;

    @Test
    void hundredsOfConnectsAtOnceAllGetReady() throws Exception {
        FakeNeighbours.boot();
        List<String[]> owners = new ArrayList<>();
        for (int i = 0; i < CLIENTS; i++) {
            String session = UUID.randomUUID().toString();
            String token = TestTokens.token(UUID.randomUUID().toString());
            FakeNeighbours.own(session, token);
            owners.add(new String[] {session, token});
        }
        ExecutorService pool = Executors.newFixedThreadPool(100);
        List<WsClient> clients = new ArrayList<>();
        try {
            List<Future<WsClient>> opened = new ArrayList<>();
            for (String[] o : owners) {
                opened.add(pool.submit(() -> {
                    WsClient c = WsClient.connect(port, o[0], o[1], null);
                    c.nextOfType("ready", 30000);
                    return c;
                }));
            }
            int ready = 0;
            for (Future<WsClient> f : opened) {
                clients.add(f.get(60, TimeUnit.SECONDS));
                ready++;
            }
            assertEquals(CLIENTS, ready);
        } finally {
            pool.shutdownNow();
            clients.forEach(WsClient::close);
        }
    }
}
