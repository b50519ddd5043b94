package io.chatplatform.auth;

import io.quarkus.mailer.MockMailbox;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static io.chatplatform.auth.TestSupport.*;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.*;
import static org.junit.jupiter.api.Assertions.*;

@QuarkusTest
class RefreshTest {

    @Inject
    MockMailbox mailbox;

    @Inject
    EntityManager em;

    private static Response refresh(String token) {
        return given().cookie(REFRESH, token).header("User-Agent", "RefreshTest").post("/api/auth/refresh");
    }

    @Test
    void everyRefreshRotates() {
        Signed s = login(mailbox, email());
        String token = s.refreshToken();
        List<String> seen = new ArrayList<>(List.of(token));
        for (int i = 0; i < 3; i++) {
            Response r = refresh(token);
            r.then().statusCode(200).header("Cache-Control", "no-store")
                    .body("user.id", is(s.userId())).body("expires_in", is(900));
            String next = r.getCookie(REFRESH);
            assertFalse(seen.contains(next), "a new refresh token each time");
            String cookie = setCookie(r, REFRESH);
            assertTrue(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict") && LoginFlowTest.hostOnlyRootPath(cookie));
            given().auth().oauth2(r.path("access_token")).get("/api/auth/me").then().statusCode(200);
            seen.add(next);
            token = next;
        }
    }

    @Test
    void reuseAfterTheGraceWindowRevokesTheFamily() throws InterruptedException {
        Signed s = login(mailbox, email());
        Signed other = login(mailbox, s.email()); // a second device of the same user
        Response rotated = refresh(s.refreshToken());
        rotated.then().statusCode(200);
        String current = rotated.getCookie(REFRESH);
        Thread.sleep(5_500); // just past %test.auth.refresh.grace=PT5S
        // a stolen, already-rotated token comes back: 401 and the whole family is gone
        refresh(s.refreshToken()).then().statusCode(401).contentType("application/problem+json");
        refresh(current).then().statusCode(401);
        refresh(s.refreshToken()).then().statusCode(401);
        // the other login of the same user is a different family and survives
        refresh(other.refreshToken()).then().statusCode(200);
    }

    @Test
    void concurrentRefreshWithinTheGraceWindowGetsTheSamePair() throws Exception {
        Signed s = login(mailbox, email());
        Response first = refresh(s.refreshToken());
        first.then().statusCode(200);
        Response second = refresh(s.refreshToken()); // the other tab, a moment later
        second.then().statusCode(200);
        assertEquals(first.getCookie(REFRESH), second.getCookie(REFRESH));
        assertEquals((String) first.path("access_token"), second.path("access_token"));
        // the family lives on: the shared successor rotates normally
        refresh(first.getCookie(REFRESH)).then().statusCode(200);
    }

    @Test
    void parallelRefreshesAllSucceedWithOnePair() throws Exception {
        Signed s = login(mailbox, email());
        int tabs = 4;
        ExecutorService pool = Executors.newFixedThreadPool(tabs);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<Response>> results = new ArrayList<>();
        for (int i = 0; i < tabs; i++) {
            results.add(pool.submit((Callable<Response>) () -> {
                start.await();
                return refresh(s.refreshToken());
            }));
        }
        start.countDown();
        List<String> tokens = new ArrayList<>();
        for (Future<Response> f : results) {
            Response r = f.get();
            assertEquals(200, r.statusCode(), r.asString());
            tokens.add(r.getCookie(REFRESH));
        }
        pool.shutdown();
        assertEquals(1, tokens.stream().distinct().count(), "every tab got the same new refresh token");
        refresh(tokens.get(0)).then().statusCode(200);
    }

    @Test
    void idleAndAbsoluteExpiryEndTheSession() {
        Signed idle = login(mailbox, email());
        Signed old = login(mailbox, email());
        // age the families in the database instead of waiting 30 / 90 days
        QuarkusTransaction.requiringNew().run(() -> {
            em.createNativeQuery("update refresh_families set last_used_at = now() - interval '31 days' "
                    + "where user_id = cast(?1 as uuid)").setParameter(1, idle.userId()).executeUpdate();
            em.createNativeQuery("update refresh_families set expires_at = now() - interval '1 second' "
                    + "where user_id = cast(?1 as uuid)").setParameter(1, old.userId()).executeUpdate();
        });
        given().auth().oauth2(idle.accessToken()).get("/api/auth/sessions").then().statusCode(200).body("size()", is(0));
        refresh(idle.refreshToken()).then().statusCode(401).body("detail", containsString("expired"));
        refresh(old.refreshToken()).then().statusCode(401).body("detail", containsString("expired"));
    }

    @Test
    void refreshCookieLivesAsLongAsTheIdleTimeout() {
        Signed s = login(mailbox, email());
        String cookie = setCookie(refresh(s.refreshToken()), REFRESH);
        assertTrue(cookie.contains("Max-Age=" + 30 * 24 * 3600), cookie);
    }

    @Test
    void aStaleBearerHeaderDoesNotBlockThePublicEndpoints() {
        // a client that keeps sending its expired access token must still be able to refresh
        Signed s = login(mailbox, email());
        given().auth().oauth2("expired.or.garbage").cookie(REFRESH, s.refreshToken())
                .post("/api/auth/refresh").then().statusCode(200);
        from(ip()).auth().oauth2("expired.or.garbage").body(java.util.Map.of("email", email()))
                .post("/api/auth/magic-link").then().statusCode(202);
        given().auth().oauth2("expired.or.garbage").get("/api/auth/jwks").then().statusCode(200);
    }

    @Test
    void unknownOrMissingRefreshTokenIs401() {
        refresh(randomToken()).then().statusCode(401).contentType("application/problem+json");
        given().post("/api/auth/refresh").then().statusCode(401).contentType("application/problem+json");
    }

    @Test
    void logoutRevokesTheFamilyEvenWithAnOlderToken() {
        Signed s = login(mailbox, email());
        String current = refresh(s.refreshToken()).getCookie(REFRESH);
        given().cookie(REFRESH, s.refreshToken()).post("/api/auth/logout").then().statusCode(204);
        refresh(current).then().statusCode(401);
        // logout without a cookie is harmless
        given().post("/api/auth/logout").then().statusCode(204);
    }

    @Test
    void devicesAreListedAndCanBeSignedOut() {
        String email = email();
        Signed a = login(mailbox, email, "Laptop-Browser/1.0 (device A)");
        Signed b = login(mailbox, email, "Phone-Browser/2.0 (device B)");
        List<String> ids = given().auth().oauth2(a.accessToken()).cookie(REFRESH, a.refreshToken())
                .get("/api/auth/sessions").then().statusCode(200)
                .body("size()", is(2))
                // each device as its browser announced itself when it signed in
                .body("find { it.current == true }.user_agent", is("Laptop-Browser/1.0 (device A)"))
                .body("find { it.current == false }.user_agent", is("Phone-Browser/2.0 (device B)"))
                .body("find { it.current == true }.created_at", notNullValue())
                .body("findAll { it.current == true }.size()", is(1))
                .body("[0].last_used_at", notNullValue())
                .extract().path("id");
        String mine = given().auth().oauth2(a.accessToken()).cookie(REFRESH, a.refreshToken())
                .get("/api/auth/sessions").path("find { it.current == true }.id");
        String theirs = ids.stream().filter(id -> !id.equals(mine)).findFirst().orElseThrow();

        // another user can neither see nor sign out this user's devices
        Signed stranger = login(mailbox, email());
        given().auth().oauth2(stranger.accessToken()).get("/api/auth/sessions").then().statusCode(200).body("size()", is(1));
        given().auth().oauth2(stranger.accessToken()).delete("/api/auth/sessions/" + theirs).then().statusCode(404);
        refresh(b.refreshToken()).then().statusCode(200);

        given().auth().oauth2(a.accessToken()).delete("/api/auth/sessions/" + theirs).then().statusCode(204);
        given().auth().oauth2(a.accessToken()).get("/api/auth/sessions").then().statusCode(200)
                .body("size()", is(1)).body("[0].id", is(mine));
        given().auth().oauth2(a.accessToken()).delete("/api/auth/sessions/" + theirs).then().statusCode(404);
        given().auth().oauth2(a.accessToken()).delete("/api/auth/sessions/not-a-uuid").then().statusCode(404);
    }
}
