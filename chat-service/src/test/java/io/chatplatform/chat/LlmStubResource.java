package io.chatplatform.chat;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.io.File;
import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URI;
import java.util.List;
import java.util.Map;

/**
 * Starts the real LLM stand-in (infra/llm-stub, built before chat-service in the reactor) as a separate process
 * on a free port and points chat-service's model client at it.
 */
public class LlmStubResource implements QuarkusTestResourceLifecycleManager {

    static volatile int port;
    private Process process;

    public static String baseUrl() {
        return "http://localhost:" + port;
    }

    @Override
    public Map<String, String> start() {
        File built = new File("../infra/llm-stub/target/quarkus-app");
        if (!new File(built, "quarkus-run.jar").isFile()) {
            throw new IllegalStateException("build the stand-in first: mvn -pl infra/llm-stub package -DskipTests");
        }
        // run a private copy: a rebuild of the stand-in while our tests run must not pull jars from under it
        File copy = new File("target/llm-stub-app");
        copyTree(built.toPath(), copy.toPath());
        File jar = new File(copy, "quarkus-run.jar");
        port = freePort();
        String java = System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
        try {
            process = new ProcessBuilder(List.of(java, "-Dquarkus.http.port=" + port, "-Dquarkus.http.host=127.0.0.1",
                    "-Dllmstub.token-delay-ms=2", "-Dquarkus.log.level=WARN", "-jar", jar.getAbsolutePath()))
                    .redirectErrorStream(true)
                    .redirectOutput(new File("target/llm-stub.log"))
                    .start();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        long deadline = System.currentTimeMillis() + 60_000;
        while (System.currentTimeMillis() < deadline) {
            try {
                HttpURLConnection c = (HttpURLConnection) URI.create(baseUrl() + "/v1/models").toURL().openConnection();
                c.setConnectTimeout(500);
                if (c.getResponseCode() == 200) {
                    return Map.of("chat.model.base-url", baseUrl() + "/v1");
                }
            } catch (IOException ignored) {
                // not up yet
            }
            if (!process.isAlive()) {
                throw new IllegalStateException("llm-stub exited; see target/llm-stub.log");
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        throw new IllegalStateException("llm-stub did not start; see target/llm-stub.log");
    }

    @Override
    public void stop() {
        if (process != null) {
            process.destroy();
        }
    }

    private static void copyTree(java.nio.file.Path from, java.nio.file.Path to) {
        try (var paths = java.nio.file.Files.walk(from)) {
            for (java.nio.file.Path p : paths.toList()) {
                java.nio.file.Path target = to.resolve(from.relativize(p).toString());
                if (java.nio.file.Files.isDirectory(p)) {
                    java.nio.file.Files.createDirectories(target);
                } else {
                    java.nio.file.Files.copy(p, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot copy the stand-in", e);
        }
    }

    static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
