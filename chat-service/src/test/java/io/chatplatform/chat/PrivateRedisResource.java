package io.chatplatform.chat;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.io.File;
import java.io.IOException;
import java.net.Socket;
import java.util.List;
import java.util.Map;

/**
 * A redis-server of its own on a free port, for tests that pause Redis ({@code CLIENT PAUSE}) or count its commands
 * ({@code INFO commandstats}) or restart it: nobody else's keys or calls are in it.
 */
public class PrivateRedisResource implements QuarkusTestResourceLifecycleManager {

    private Process process;
    private int port;

    @Override
    public Map<String, String> start() {
        port = LlmStubResource.freePort();
        launch();
        return Map.of("quarkus.redis.hosts", "redis://127.0.0.1:" + port);
    }

    /** A Redis restart as an operator does it: saved on the way down, the same data and port when it is back. */
    public void restart() {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.getOutputStream().write("SHUTDOWN SAVE\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            s.getOutputStream().flush();
            if (!process.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)) {
                throw new IllegalStateException("private redis-server did not shut down");
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        launch();
    }

    private void launch() {
        try {
            // no background saves; SHUTDOWN SAVE (restart) writes target/private-redis-<port>.rdb, read back at start
            process = new ProcessBuilder(List.of("redis-server", "--port", Integer.toString(port), "--bind", "127.0.0.1",
                    "--save", "", "--appendonly", "no", "--dir", new File("target").getAbsolutePath(),
                    "--dbfilename", "private-redis-" + port + ".rdb"))
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(new File("target/private-redis.log")))
                    .start();
        } catch (IOException e) {
            throw new IllegalStateException("redis-server not found on the PATH", e);
        }
        long deadline = System.currentTimeMillis() + 20_000;
        while (System.currentTimeMillis() < deadline) {
            try (Socket s = new Socket("127.0.0.1", port)) {
                return;
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
