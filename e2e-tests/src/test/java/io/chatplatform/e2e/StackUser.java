package io.chatplatform.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.net.CookieManager;
import java.net.CookiePolicy;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** What a user does with curl through the ingress of the e2e stack: sign in with the mailed code, chat. */
final class StackUser {

    static final ObjectMapper JSON = new ObjectMapper();

    private StackUser() {
    }

    /** An HTTP client with its own cookie jar: the nonce and refresh cookies of one "browser". */
    static HttpClient newBrowser() {
        return HttpClient.newBuilder().cookieHandler(new CookieManager(null, CookiePolicy.ACCEPT_ALL))
                .connectTimeout(Duration.ofSeconds(5)).build();
    }

    /** Asks for a magic link and signs in with the 6-digit code the stack's console mailer printed. */
    static String signIn(HttpClient user, String email) throws Exception {
        int mailsBefore = LocalStack.loginMails().size();
        HttpResponse<String> asked = post(user, "/api/auth/magic-link", null, Map.of("email", email));
        assertEquals(202, asked.statusCode(), asked.body());
        String[] mail = null;
        for (int i = 0; i < 60 && mail == null; i++) {
            List<String[]> mails = LocalStack.loginMails();
            if (mails.size() > mailsBefore) {
                mail = mails.get(mails.size() - 1);
            } else {
                Thread.sleep(250);
            }
        }
        assertNotNull(mail, "a sign-in code was mailed");
        HttpResponse<String> verified = post(user, "/api/auth/verify", null, Map.of("code", mail[1]));
        assertEquals(200, verified.statusCode(), verified.body());
        String token = JSON.readTree(verified.body()).path("access_token").asText();
        assertFalse(token.isBlank(), "an access token");
        return token;
    }

    /** One synchronous chat turn; asserts a 200 with an answer. */
    static JsonNode chat(HttpClient user, String token, String session, String message) throws Exception {
        HttpResponse<String> r = post(user, "/api/chat", token, turn(session, message, null));
        assertEquals(200, r.statusCode(), r.body());
        JsonNode answer = JSON.readTree(r.body());
        assertFalse(answer.path("response").asText().isBlank(), "an answer: " + r.body());
        return answer;
    }

    static Map<String, String> turn(String session, String message, String clientMessageId) {
        Map<String, String> body = new LinkedHashMap<>();
        if (session != null) {
            body.put("session_id", session);
        }
        body.put("message", message);
        if (clientMessageId != null) {
            body.put("client_message_id", clientMessageId);
        }
        return body;
    }

    static boolean hasToolCall(JsonNode answer, String tool) {
        for (JsonNode call : answer.path("tool_calls")) {
            if (tool.equals(call.path("tool").asText()) && call.path("ok").asBoolean()) {
                return true;
            }
        }
        return false;
    }

    static HttpResponse<String> post(HttpClient client, String path, String token, Object body, String... headers)
            throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(LocalStack.baseUrl() + path))
                .timeout(Duration.ofSeconds(60))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        if (headers.length > 0) {
            b.headers(headers);
        }
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> get(HttpClient client, String path, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(LocalStack.baseUrl() + path))
                .timeout(Duration.ofSeconds(30)).GET();
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }
}
