// The stack's HTTP API as a signed-in browser uses it, for StackBench.java: sign-in by magic link and code (read
// from the auth-service log, as the local stack logs it), the access token refreshed before it runs out, sessions.

import java.net.CookieManager;
import java.net.CookiePolicy;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

final class Api {

    static final String INGRESS = StackBench.env("INGRESS_URL", "http://127.0.0.1:28080"); // where we connect
    static final String ORIGIN = StackBench.env("ORIGIN", "http://localhost:28080");       // PUBLIC_BASE_URL of the stack
    static final Path AUTH_LOG = Path.of(StackBench.env("AUTH_LOG", "auth-service.log"));
    static final CookieManager COOKIES = new CookieManager(null, CookiePolicy.ACCEPT_ALL);
    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).cookieHandler(COOKIES)
            .connectTimeout(Duration.ofSeconds(10)).executor(Executors.newFixedThreadPool(8)).build();
    static volatile String accessToken;
    static volatile long tokenAt;

    private Api() {
    }

    static String createSession(String token) throws Exception {
        HttpResponse<String> created = HTTP.send(api("/api/sessions", token)
                .POST(HttpRequest.BodyPublishers.ofString("{\"title\":\"bench\"}")).build(), HttpResponse.BodyHandlers.ofString());
        if (created.statusCode() != 201) {
            throw new IllegalStateException("create session: " + created.statusCode() + " " + created.body());
        }
        return field(created.body(), "id");
    }

    static HttpRequest.Builder api(String path, String token) {
        return HttpRequest.newBuilder(URI.create(INGRESS + path)).timeout(Duration.ofSeconds(60))
                .header("Origin", ORIGIN).header("Content-Type", "application/json").header("Authorization", "Bearer " + token);
    }

    static String field(String json, String name) {
        Matcher m = Pattern.compile("\"" + name + "\"\\s*:\\s*\"([^\"]+)\"").matcher(json);
        if (!m.find()) {
            throw new IllegalStateException("no " + name + " in " + json);
        }
        return m.group(1);
    }

    static synchronized String token() throws Exception {
        if (System.currentTimeMillis() - tokenAt > 10 * 60_000) {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(INGRESS + "/api/auth/refresh"))
                    .header("Origin", ORIGIN).POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                throw new IllegalStateException("refresh: " + r.statusCode() + " " + r.body());
            }
            accessToken = field(r.body(), "access_token");
            tokenAt = System.currentTimeMillis();
        }
        return accessToken;
    }

    static void signIn() throws Exception {
        String email = "bench-" + UUID.randomUUID().toString().substring(0, 8) + "@example.test";
        long logSize = Files.size(AUTH_LOG);
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(INGRESS + "/api/auth/magic-link"))
                .header("Origin", ORIGIN).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"email\":\"" + email + "\"}")).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 202) {
            throw new IllegalStateException("magic-link: " + r.statusCode() + " " + r.body());
        }
        Pattern code = Pattern.compile("Local sign-in link: .*\\(code (\\d{6})\\)");
        String found = null;
        for (int i = 0; i < 100 && found == null; i++) {
            byte[] all = Files.readAllBytes(AUTH_LOG);
            String fresh = new String(all, (int) Math.min(logSize, all.length), (int) Math.max(0, all.length - logSize), StandardCharsets.UTF_8);
            Matcher m = code.matcher(fresh);
            while (m.find()) {
                found = m.group(1);
            }
            if (found == null) {
                Thread.sleep(100);
            }
        }
        if (found == null) {
            throw new IllegalStateException("no sign-in code in " + AUTH_LOG);
        }
        HttpResponse<String> v = HTTP.send(HttpRequest.newBuilder(URI.create(INGRESS + "/api/auth/verify"))
                .header("Origin", ORIGIN).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"code\":\"" + found + "\"}")).build(), HttpResponse.BodyHandlers.ofString());
        if (v.statusCode() != 200) {
            throw new IllegalStateException("verify: " + v.statusCode() + " " + v.body());
        }
        accessToken = field(v.body(), "access_token");
        tokenAt = System.currentTimeMillis();
    }}
