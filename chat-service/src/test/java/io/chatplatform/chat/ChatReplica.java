package io.chatplatform.chat;

import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One more chat-service replica: the packaged jar (target/quarkus-app) as a process of its own on free ports, in
 * the prod profile, configured with -D options (as relay-service's TwoRelaysIT starts its relays).
 */
record ChatReplica(String name, int port, int managementPort, Process process) implements AutoCloseable {

    static Path jar() {
        return Path.of(System.getProperty("user.dir"), "target", "quarkus-app", "quarkus-run.jar");
    }

    static boolean packaged() {
        return Files.exists(jar());
    }

    /** Starts the jar with {@code config} as system properties; returns once it is ready. */
    static ChatReplica start(String name, Map<String, String> config) throws IOException, InterruptedException {
        int port = LlmStubResource.freePort();
        int management = LlmStubResource.freePort();
        String java = System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
        List<String> cmd = new ArrayList<>(List.of(java));
        config.forEach((k, v) -> cmd.add("-D" + k + "=" + v));
        // after the shared config: these win
        cmd.addAll(List.of("-Dquarkus.http.port=" + port, "-Dquarkus.http.host=127.0.0.1",
                "-Dquarkus.management.port=" + management, "-Dquarkus.management.host=127.0.0.1",
                "-Dplatform.user-events.consumer=chat-service-" + name));
        cmd.addAll(List.of("-jar", jar().toString()));
        File log = new File("target/chat-replica-" + name + ".log");
        ChatReplica r = new ChatReplica(name, port, management,
                new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log).start());
        long deadline = System.currentTimeMillis() + 120_000;
        while (!r.ready()) {
            if (!r.process().isAlive() || System.currentTimeMillis() > deadline) {
                r.close();
                throw new IllegalStateException("chat-service replica " + name + " did not get ready; see " + log);
            }
            Thread.sleep(250);
        }
        return r;
    }

    /** Readiness as the kubelet probes it (Redis, the keys, the cancel channel). */
    boolean ready() {
        try {
            return RestAssured.given().baseUri("http://127.0.0.1:" + managementPort).get("/q/health/ready").statusCode() == 200;
        } catch (Exception notListening) { // RestAssured rethrows ConnectException unchecked
            return false;
        }
    }

    RequestSpecification as(String user) {
        return RestAssured.given().baseUri("http://127.0.0.1:" + port)
                .header("Authorization", "Bearer " + ChatItConfig.token(user)).contentType(ContentType.JSON);
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        process.waitFor();
    }
}
