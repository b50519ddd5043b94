package io.chatplatform.chat;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.io.File;
import java.io.IOException;
import java.net.Socket;
import java.util.List;
import java.util.Map;

/**
 * A redis-server of its own on a free port, for tests that pause Redis ({@code CLIENT PAUSE}) or count its commands
 * ({@code INFO commandstats}): nobody else's keys or calls are in it.
 */
public class PrivateRedisResource implements QuarkusTestResourceLifecycleManager {

    private Process process;

    @Override
    public Map<String, String> start() {
        int port = LlmStubResource.freePort();
        try {
            process = new ProcessBuilder(List.of("redis-server", "--port", Integer.toString(port), "--bind", "127.0.0.1",
                    "--save", "", "--appendonly", "no"))
                    .redirectErrorStream(true).redirectOutput(new File("target/private-redis.log")).start();
        } catch (IOException e) {
            throw new IllegalStateException("redis-server not found on the PATH", e);
        }
        long deadline = System.currentTimeMillis() + 20_000;
        while (System.currentTimeMillis() < deadline) {
            try (Socket s = new Socket("127.0.0.1", port)) {
                return Map.of("quarkus.redis.hosts", "redis://127.0.0.1:" + port);
            } catch (IOException notYet) {
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        throw new IllegalStateException("private redis-server did not start; see target/private-redis.log");
    }

    @Override
    public void stop() {
        if (process != null) {
            process.destroy();
        }
    }
}
