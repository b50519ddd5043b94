package io.chatplatform.auth;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.chatplatform.auth.TestSupport.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * The README's "Login flow with curl", run as written with bash and curl against this instance in the
 * local stack's settings (console links, cookies without Secure): only the base URL and the address
 * are swapped in, and the auth-service log lines go to .local/logs/auth-service.log as run.sh keeps it.
 */
@QuarkusTest
@TestProfile(LocalStackConfigTest.LocalStack.class)
class ReadmeCurlFlowTest {

    @TestHTTPResource("/")
    URI base;

    @Test
    void signInWithTheLinksToken() throws Exception {
        List<String> blocks = readmeBlocks();
        String out = run(blocks.get(0), blocks.get(1), blocks.get(2), blocks.get(4));
        assertFlow(out);
    }

    @Test
    void signInWithTheCodeAndTheNonceCookie() throws Exception {
        List<String> blocks = readmeBlocks();
        String out = run(blocks.get(0), blocks.get(1), blocks.get(3), blocks.get(4));
        assertFlow(out);
    }

    private String email;

    private void assertFlow(String out) {
        assertTrue(out.contains("\"status\":\"accepted\""), out);
        assertTrue(out.contains("Local sign-in link: https://chat.example.test/auth/callback#token="), out);
        // verify, me, sessions (this device current), refresh, logout, refresh refused
        assertEquals(2, count(out, "\"token_type\":\"Bearer\""), "verify and refresh answered tokens: " + out);
        assertTrue(out.contains("\"email\":\"" + email + "\",\"created_at\""), "me: " + out);
        assertTrue(out.contains("\"current\":true"), "sessions: " + out);
        assertTrue(out.contains("logout: 204"), out);
        assertTrue(out.strip().endsWith("}") && out.contains("\"status\":401"), "refresh after logout: " + out);
        assertFalse(out.contains("curl:"), "no curl error: " + out);
    }

    /** The bash blocks of the README section, in order: request, read the log, 3a, 3b, the rest. */
    private static List<String> readmeBlocks() throws IOException {
        String readme = Files.readString(Path.of("README.md"));
        int from = readme.indexOf("## Login flow with curl");
        assertTrue(from >= 0, "README section");
        int to = readme.indexOf("\n## ", from + 3);
        Matcher m = Pattern.compile("```bash\\n(.*?)```", Pattern.DOTALL)
                .matcher(readme.substring(from, to < 0 ? readme.length() : to));
        List<String> blocks = new ArrayList<>();
        while (m.find()) {
            blocks.add(m.group(1));
        }
        assertEquals(5, blocks.size(), "request, read, token, code, use");
        return blocks;
    }

    /** A scratch repository root (@TempDir does not reach a @QuarkusTest instance); removed afterwards. */
    private String run(String... blocks) throws Exception {
        Path dir = Files.createTempDirectory("readme-curl");
        try {
            return run(dir, blocks);
        } finally {
            try (var files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }

    private String run(Path dir, String... blocks) throws Exception {
        String target = "http://127.0.0.1:" + base.getPort(); // the trusted proxy address, as nginx would be
        email = email();
        String script = "set -euo pipefail\n" + String.join("\n", blocks)
                .replace("BASE=http://localhost:8080", "BASE=" + target)
                .replace("EMAIL=you@example.com", "EMAIL=" + email);
        assertNotEquals(String.join("\n", blocks), script, "README still sets BASE and EMAIL as expected");
        Path logs = Files.createDirectories(dir.resolve(".local/logs"));
        Path log = Files.createFile(logs.resolve("auth-service.log"));
        // a client address of its own per run, so the shared Redis' per-IP limits never add up across runs
        Files.writeString(dir.resolve(".curlrc"), "header = \"X-Forwarded-For: " + ip() + "\"\n");
        Handler toFile = new Handler() {
            @Override
            public void publish(LogRecord record) {
                try {
                    String line = record.getLoggerName() + " " + record.getLevel() + " "
                            + String.format(record.getMessage(), record.getParameters() == null ? new Object[0] : record.getParameters());
                    Files.writeString(log, line + "\n", StandardOpenOption.APPEND);
                } catch (IOException | RuntimeException e) {
                    // a line that cannot be formatted is not the sign-in line
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        Logger.getLogger("").addHandler(toFile);
        try {
            ProcessBuilder pb = new ProcessBuilder("bash", "-c", script).directory(dir.toFile()).redirectErrorStream(true);
            pb.environment().put("CURL_HOME", dir.toString());
            pb.environment().put("TMPDIR", dir.toString());
            Process p = pb.start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(60, TimeUnit.SECONDS));
            assertEquals(0, p.exitValue(), out);
            return out;
        } finally {
            Logger.getLogger("").removeHandler(toFile);
        }
    }

    private static int count(String text, String part) {
        int n = 0;
        for (int i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + 1)) {
            n++;
        }
        return n;
    }
}
