package io.chatplatform.e2e;

import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Starts the built platform once per test run with the README's own run command
 * ({@code infra/local/run.sh}, SKIP_BUILD=1) on ports of its own and its own databases, so it runs
 * beside a developer's local stack, and stops it (Ctrl-C equivalent) when the run ends.
 */
public class LocalStack implements BeforeAllCallback {

    public static final int INGRESS_PORT = Integer.getInteger("e2e.ingress-port", 18080);
    public static final Map<String, Integer> PORTS = Map.of(
            "auth", 18081, "session", 18082, "chat", 18083, "relay", 18084, "llm-stub", 18089);

    private static Stack stack;

    /** run.sh: a service's management interface (health, metrics) listens on its HTTP port + 1000. */
    public static int managementPort(int httpPort) {
        return httpPort + 1000;
    }

    public static String baseUrl() {
        return "http://localhost:" + INGRESS_PORT;
    }

    public static Path logs() {
        return state().resolve("logs");
    }

    static Path state() {
        return Path.of(System.getProperty("e2e.state", "target/e2e-state")).toAbsolutePath();
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        synchronized (LocalStack.class) {
            if (stack == null) {
                stack = new Stack();
                stack.start();
                // closed by JUnit at the very end of the run
                context.getRoot().getStore(ExtensionContext.Namespace.GLOBAL).put("local-stack", stack);
            }
        }
    }

    /** Ports of the two relay replicas behind the ingress. */
    public static int[] relayPorts() {
        return new int[]{PORTS.get("relay"), PORTS.get("relay") + 10};
    }

    /**
     * The PID this run's run.sh recorded for the process it started as {@code name} (e.g. relay-service-2). Only
     * its own pid file (pids.<run.sh pid>) is read: an earlier run that was killed may have left another behind.
     */
    public static long pidOf(String name) throws IOException {
        Path file = state().resolve("pids." + stack.process.pid());
        for (String line : Files.readAllLines(file)) {
            String[] parts = line.trim().split(" ");
            if (parts.length == 2 && parts[1].equals(name)) {
                return Long.parseLong(parts[0]);
            }
        }
        throw new IllegalStateException("no process " + name + " recorded by run.sh in " + file);
    }

    /** All sign-in lines the console mailer has printed so far, oldest first: {link, code}. */
    public static List<String[]> loginMails() throws IOException {
        Path log = logs().resolve("auth-service.log");
        Pattern link = Pattern.compile("Local sign-in link: (\\S+) \\(code (\\d{6})\\)");
        List<String[]> found = new java.util.ArrayList<>();
        for (String line : Files.readAllLines(log)) {
            Matcher m = link.matcher(line);
            if (m.find()) {
                found.add(new String[]{m.group(1), m.group(2)});
            }
        }
        return found;
    }

    static final class Stack implements ExtensionContext.Store.CloseableResource {
        private Process process;

        void start() throws Exception {
            Path root = Path.of(System.getProperty("platform.root", "..")).toAbsolutePath().normalize();
            Files.createDirectories(state());
            ProcessBuilder pb = new ProcessBuilder(List.of("bash", root.resolve("infra/local/run.sh").toString()))
                    .directory(root.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(state().resolve("run.out").toFile());
            Map<String, String> env = pb.environment();
            env.put("SKIP_BUILD", "1");
            env.put("PLATFORM_STATE_DIR", state().toString());
            env.put("INGRESS_PORT", Integer.toString(INGRESS_PORT));
            env.put("AUTH_PORT", PORTS.get("auth").toString());
            env.put("SESSION_PORT", PORTS.get("session").toString());
            env.put("CHAT_PORT", PORTS.get("chat").toString());
            env.put("RELAY_PORT", PORTS.get("relay").toString());
            env.put("LLM_STUB_PORT", PORTS.get("llm-stub").toString());
            env.put("RELAY_REPLICAS", "2"); // a second relay (port 18094) behind the same ingress
            env.put("AUTH_DB", "chat_auth_e2e");
            env.put("SESSION_DB", "chat_sessions_e2e");
            env.remove("OPENAI_API_KEY");
            env.remove("OPENAI_BASE_URL");
            process = pb.start();

            HttpClient http = HttpClient.newHttpClient();
            Instant deadline = Instant.now().plus(Duration.ofMinutes(4));
            while (Instant.now().isBefore(deadline)) {
                if (!process.isAlive()) {
                    throw new IllegalStateException("run.sh exited early:\n" + Files.readString(state().resolve("run.out")));
                }
                if (Files.readString(state().resolve("run.out")).contains("The chat platform is up")) {
                    return;
                }
                Thread.sleep(500);
            }
            close();
            throw new IllegalStateException("the stack did not come up within 4 minutes:\n" + Files.readString(state().resolve("run.out")));
        }

        @Override
        public void close() throws Exception {
            if (process != null && process.isAlive()) {
                // SIGTERM: run.sh's trap stops everything it started, by PID
                new ProcessBuilder("kill", "-TERM", Long.toString(process.pid())).start().waitFor();
                if (!process.waitFor(60, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            }
        }
    }

    static int status(String url) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url)).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode();
    }
}
