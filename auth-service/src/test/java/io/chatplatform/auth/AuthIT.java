package io.chatplatform.auth;

import static io.chatplatform.auth.TestSupport.email;
import static io.chatplatform.auth.TestSupport.from;
import static io.chatplatform.auth.TestSupport.ip;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusIntegrationTest;
import io.restassured.response.Response;

/**
 * The packaged service (the jar here, the native executable under -Pnative) on its serving paths: a whole sign-in
 * with the link the local stack logs (PostgreSQL through Hibernate, Redis limits, RS256 signing and verification),
 * refresh, logout, JWKS, problems for bad input. Under -Paot these requests are also the training run of the AOT
 * cache.
 */
@QuarkusIntegrationTest
// restricted: an unrestricted resource would configure every @QuarkusTest of the module too
@QuarkusTestResource(value = AuthItConfig.class, restrictToAnnotatedClass = true)
class AuthIT {

    /** The line MagicLinkMailer logs when links are logged; the process's output goes to target/quarkus.log. */
    static final Pattern LINK = Pattern.compile("Local sign-in link: https://chat\\.example\\.test/auth/callback#token="
            + "([A-Za-z0-9_-]{43}) \\(code ([0-9]{6})\\)");

    @Test
    void signInRefreshAndLogOut() throws Exception {
        String ip = ip();
        String email = email();
        int before = links().size();
        Response requested = from(ip).body(Map.of("email", email)).post("/api/auth/magic-link");
        assertEquals(202, requested.statusCode(), requested.asString());
        String token = awaitLink(before);

        Response verified = from(ip).cookie("auth_nonce", requested.getCookie("auth_nonce"))
                .body(Map.of("token", token)).post("/api/auth/verify");
        verified.then().statusCode(200).body("token_type", equalTo("Bearer")).body("user.email", equalTo(email));
        String access = verified.path("access_token");
        given().auth().oauth2(access).get("/api/auth/me").then().statusCode(200).body("email", equalTo(email));

        Response refreshed = given().cookie("auth_refresh", verified.getCookie("auth_refresh")).post("/api/auth/refresh");
        refreshed.then().statusCode(200).body("access_token", notNullValue());
        given().cookie("auth_refresh", refreshed.getCookie("auth_refresh")).post("/api/auth/logout")
                .then().statusCode(204);
        given().cookie("auth_refresh", refreshed.getCookie("auth_refresh")).post("/api/auth/refresh")
                .then().statusCode(401).contentType("application/problem+json");
    }

    @Test
    void publishesItsKeysAndRefusesBadInput() {
        given().get("/api/auth/jwks").then().statusCode(200).body("keys[0].kty", equalTo("RSA"));
        from(ip()).body("{\"email\": ").post("/api/auth/magic-link").then().statusCode(400)
                .contentType("application/problem+json");
        given().get("/api/auth/me").then().statusCode(401);
        given().port(AuthItConfig.MANAGEMENT_PORT).get("/q/health/ready").then().statusCode(200).body(containsString("UP"));
    }

    private static java.util.List<String> links() throws IOException {
        Path log = Path.of(System.getProperty("user.dir"), "target", "quarkus.log");
        if (!Files.exists(log)) {
            return java.util.List.of();
        }
        Matcher m = LINK.matcher(Files.readString(log));
        java.util.List<String> tokens = new java.util.ArrayList<>();
        while (m.find()) {
            tokens.add(m.group(1));
        }
        return tokens;
    }

    /** The token of the link logged after the first {@code before} ones (the log is written as the request ends). */
    private static String awaitLink(int before) throws Exception {
        for (int i = 0; i < 100; i++) {
            var tokens = links();
            if (tokens.size() > before) {
                return tokens.get(before);
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no sign-in link logged in target/quarkus.log");
    }
}
