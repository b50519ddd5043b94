package io.chatplatform.auth;

import io.quarkus.mailer.MockMailbox;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;

import static io.chatplatform.auth.TestSupport.*;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.*;
import static org.junit.jupiter.api.Assertions.*;

@QuarkusTest
class LimitsAndValidationTest {

    @Inject
    MockMailbox mailbox;

    @TestHTTPResource("/api/auth/magic-link")
    URI magicLink;

    /** NAT-sized: many users share one address (README "Security"). */
    @ConfigProperty(name = "auth.limits.magic-link-per-ip")
    int linksPerIp;

    @ConfigProperty(name = "auth.limits.verify-per-ip")
    int verifiesPerIp;

    @Test
    void fivePerAddressThen429WithRetryAfter() {
        String email = email();
        for (int i = 0; i < 5; i++) {
            // a different IP each time: the per-address limit alone must stop the sixth
            from(ip()).body(Map.of("email", email)).post("/api/auth/magic-link").then().statusCode(202);
        }
        Response r = from(ip()).body(Map.of("email", email.toUpperCase())).post("/api/auth/magic-link");
        r.then().statusCode(429).contentType("application/problem+json").body("status", is(429));
        long retryAfter = Long.parseLong(r.header("Retry-After"));
        assertTrue(retryAfter > 0 && retryAfter <= 900, "Retry-After " + retryAfter);
        assertEquals(5, mailbox.getMailsSentTo(email).size(), "no mail beyond the limit");
    }

    /** A stranger's requests for the owner's address use up the limit, but kill neither the owner's link nor code. */
    @Test
    void strangersBeyondTheLimitGet429AndTheOwnersLinkStillWorks() {
        String email = email();
        String ownerIp = ip();
        Mailed owners = requestLink(mailbox, email, ownerIp);
        for (int i = 0; i < 4; i++) {
            requestLink(mailbox, email, ip());
        }
        Response r = from(ip()).body(Map.of("email", email)).post("/api/auth/magic-link");
        r.then().statusCode(429).contentType("application/problem+json").header("Retry-After", notNullValue());
        from(ownerIp).cookie(NONCE, owners.nonce()).body(Map.of("code", owners.code()))
                .post("/api/auth/verify").then().statusCode(200).body("user.email", is(email));
        Mailed strangers = lastMail(mailbox, email, null);
        // a link the stranger triggered reached the owner's mailbox: it signs in too (after the confirmation)
        verifyToken(strangers.token(), null, ownerIp).then().statusCode(409);
        from(ownerIp).body(Map.of("token", strangers.token(), "confirm", true)).post("/api/auth/verify")
                .then().statusCode(200);
    }

    /** A NAT: hundreds of addresses signing in from one IP all get 202, up to the per-IP bound. */
    @Test
    void manyAddressesBehindOneIpAllGet202UpToTheNatSizedBound() {
        assertTrue(linksPerIp >= 100, "the per-IP bound is sized for a NAT: " + linksPerIp);
        String ip = ip();
        for (int i = 0; i < linksPerIp; i++) {
            from(ip).body(Map.of("email", email())).post("/api/auth/magic-link").then().statusCode(202);
        }
        from(ip).body(Map.of("email", email())).post("/api/auth/magic-link").then().statusCode(429)
                .header("Retry-After", notNullValue()).body("retry_after", greaterThan(0));
        // another client is not affected
        from(ip()).body(Map.of("email", email())).post("/api/auth/magic-link").then().statusCode(202);
    }

    @Test
    void verifyAttemptsPerIpAreLimited() {
        String ip = ip();
        for (int i = 0; i < verifiesPerIp; i++) {
            verifyToken(randomToken(), null, ip).then().statusCode(401);
        }
        Response r = verifyToken(randomToken(), null, ip);
        r.then().statusCode(429).contentType("application/problem+json");
        assertNotNull(r.header("Retry-After"));
    }

    @Test
    void forwardedForIsIgnoredFromAnUntrustedPeer() throws Exception {
        // the trusted proxy is the local nginx's 127.0.0.2 (TestSupport.INGRESS); 127.0.0.3 is not trusted, so
        // its X-Forwarded-For must not let it spread requests over invented client addresses
        HttpClient client = HttpClient.newBuilder().localAddress(InetAddress.getByName("127.0.0.3")).build();
        URI target = new URI("http", null, "127.0.0.1", magicLink.getPort(), magicLink.getPath(), null, null);
        int lastStatus = 0;
        int accepted = 0;
        for (int i = 0; i <= linksPerIp; i++) {
            HttpRequest request = HttpRequest.newBuilder(target)
                    .header("Content-Type", "application/json")
                    .header("X-Forwarded-For", ip())
                    .POST(HttpRequest.BodyPublishers.ofString("{\"email\":\"" + email() + "\"}"))
                    .build();
            lastStatus = client.send(request, HttpResponse.BodyHandlers.ofString()).statusCode();
            if (lastStatus == 202) {
                accepted++;
            }
        }
        assertTrue(accepted <= linksPerIp, "all requests counted against 127.0.0.3");
        assertEquals(429, lastStatus);
    }

    @Test
    void malformedJsonIs400Problem() {
        from(ip()).body("{\"email\": ").post("/api/auth/magic-link").then().statusCode(400)
                .contentType("application/problem+json").body("status", is(400));
        from(ip()).body("[1,2]").post("/api/auth/magic-link").then().statusCode(400)
                .contentType("application/problem+json");
        from(ip()).body("{\"email\":\"a@example.com\",\"extra\":1}").post("/api/auth/magic-link").then().statusCode(400)
                .contentType("application/problem+json");
        from(ip()).body("{\"email\": 42}").post("/api/auth/verify").then().statusCode(400);
    }

    @Test
    void badEmailsAre400Problems() {
        for (String bad : List.of("", "   ", "plainaddress", "@example.com", "user@", "user@@example.com",
                "user@example", "user@-example.com", "us er@example.com", "user@exa mple.com", ".user@example.com",
                "user..dots@example.com", "user@example.com\r\nBcc: victim@example.com",
                "a".repeat(65) + "@example.com", "u@" + "a".repeat(250) + ".com")) {
            from(ip()).body(Map.of("email", bad)).post("/api/auth/magic-link").then().statusCode(400)
                    .contentType("application/problem+json").body("status", is(400));
        }
        from(ip()).body(Map.of()).post("/api/auth/magic-link").then().statusCode(400)
                .contentType("application/problem+json");
        from(ip()).body("null").post("/api/auth/magic-link").then().statusCode(400);
    }

    @Test
    void oversizedBodiesAreRefused() {
        String huge = "{\"email\":\"" + "a".repeat(20_000) + "@example.com\"}";
        from(ip()).body(huge).post("/api/auth/magic-link").then().statusCode(413)
                .contentType("application/problem+json");
        // within the byte limit but far beyond any address: a 400 problem
        from(ip()).body(Map.of("email", "a".repeat(2_000) + "@example.com")).post("/api/auth/magic-link")
                .then().statusCode(400).contentType("application/problem+json");
    }

    @Test
    void wrongMediaTypeIs415() {
        from(ip()).contentType(ContentType.TEXT).body("email=a@example.com")
                .post("/api/auth/magic-link").then().statusCode(415).contentType("application/problem+json");
    }

    @Test
    void flowCountersCountEachStep() {
        double links = metric("auth_magic_links_requested_total", Map.of());
        double logins = metric("auth_logins_total", Map.of("outcome", "success"));
        double refreshes = metric("auth_refresh_total", Map.of("outcome", "success"));
        double unknown = metric("auth_refresh_total", Map.of("outcome", "invalid"));

        Signed s = login(mailbox, email());
        given().cookie(REFRESH, s.refreshToken()).post("/api/auth/refresh").then().statusCode(200);
        given().cookie(REFRESH, randomToken()).post("/api/auth/refresh").then().statusCode(401);

        assertEquals(links + 1, metric("auth_magic_links_requested_total", Map.of()), "one link requested");
        assertEquals(logins + 1, metric("auth_logins_total", Map.of("outcome", "success")), "one login");
        assertEquals(refreshes + 1, metric("auth_refresh_total", Map.of("outcome", "success")), "one refresh");
        assertEquals(unknown + 1, metric("auth_refresh_total", Map.of("outcome", "invalid")), "one unknown token");
    }

    @Test
    void everyRefusalCountsAsRateLimitedUnderItsScope() {
        Map<String, String> perAddress = Map.of("scope", Metrics.SCOPE_MAGIC_EMAIL);
        Map<String, String> perIp = Map.of("scope", Metrics.SCOPE_MAGIC_IP);
        double limited = metric("auth_rate_limited_total", perAddress);
        double limitedIp = metric("auth_rate_limited_total", perIp);
        String email = email();
        for (int i = 0; i < 5; i++) {
            from(ip()).body(Map.of("email", email)).post("/api/auth/magic-link").then().statusCode(202);
        }
        assertEquals(limited, metric("auth_rate_limited_total", perAddress), "nothing refused yet");
        for (int i = 0; i < 2; i++) {
            from(ip()).body(Map.of("email", email)).post("/api/auth/magic-link").then().statusCode(429);
        }
        assertEquals(limited + 2, metric("auth_rate_limited_total", perAddress), "two refusals per address");
        assertEquals(limitedIp, metric("auth_rate_limited_total", perIp), "not counted under another scope");
    }

    /** The value of a Prometheus series on /q/metrics (summed over series with those labels); it must exist. */
    private static double metric(String name, Map<String, String> labels) {
        String body = given().get("/q/metrics").then().statusCode(200).extract().asString();
        double sum = 0;
        boolean found = false;
        for (String line : body.split("\n")) {
            if (!line.startsWith(name + "{") && !line.startsWith(name + " ")) {
                continue;
            }
            String series = line.substring(0, line.lastIndexOf(' '));
            if (labels.entrySet().stream().allMatch(l -> series.contains(l.getKey() + "=\"" + l.getValue() + "\""))) {
                sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                found = true;
            }
        }
        assertTrue(found, name + labels + " is not exposed");
        return sum;
    }

    @Test
    void readinessChecksRedisAndDatabaseAndOpenApiDescribesTheApi() {
        given().get("/q/health/ready").then().statusCode(200).body("status", is("UP"))
                .body("checks.name", hasItems("Redis connection health check", "Database connections health check"));
        given().get("/q/health/live").then().statusCode(200);
        given().get("/q/openapi").then().statusCode(200).body(containsString("/api/auth/verify"));
    }
}
