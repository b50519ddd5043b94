package io.chatplatform.auth;

import io.quarkus.mailer.MockMailbox;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.chatplatform.auth.TestSupport.*;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.*;
import static org.junit.jupiter.api.Assertions.*;

@QuarkusTest
class LoginFlowTest {

    @Inject
    MockMailbox mailbox;

    @Inject
    EntityManager em;

    private long usersWithAddress(String email) {
        return QuarkusTransaction.requiringNew().call(() -> ((Number) em.createNativeQuery(
                "select count(*) from users where lower(email) = lower(?1)").setParameter(1, email)
                .getSingleResult()).longValue());
    }

    @Test
    void fullFlowRequestMailboxVerifyMeRefreshLogout() {
        String email = email();
        String ip = ip();
        Response requested = from(ip).body(Map.of("email", email)).post("/api/auth/magic-link");
        requested.then().statusCode(202).body("status", is("accepted"));
        String nonceCookie = setCookie(requested, NONCE);
        assertTrue(nonceCookie.contains("HttpOnly"), nonceCookie);
        assertTrue(nonceCookie.contains("Secure"), nonceCookie);
        assertTrue(nonceCookie.contains("SameSite=Strict"), nonceCookie);
        assertTrue(hostOnlyRootPath(nonceCookie), nonceCookie);

        var mails = mailbox.getMailsSentTo(email);
        assertEquals(1, mails.size());
        String text = mails.get(0).getText();
        var link = LINK.matcher(text);
        assertTrue(link.find(), "link on PUBLIC_BASE_URL, token in the fragment: " + text);
        String token = link.group(1);

        Response verified = verifyToken(token, requested.getCookie(NONCE), ip);
        verified.then().statusCode(200)
                .header("Cache-Control", "no-store")
                .body("token_type", is("Bearer"))
                .body("expires_in", is(900))
                .body("user.email", is(email))
                .body("user.id", notNullValue())
                .body("access_token", notNullValue());
        String refreshCookie = setCookie(verified, REFRESH);
        assertTrue(refreshCookie.contains("HttpOnly") && refreshCookie.contains("Secure")
                && refreshCookie.contains("SameSite=Strict") && hostOnlyRootPath(refreshCookie), refreshCookie);
        String userId = verified.path("user.id");
        String access = verified.path("access_token");

        given().auth().oauth2(access).get("/api/auth/me").then().statusCode(200)
                .body("id", is(userId)).body("email", is(email)).body("created_at", notNullValue());

        Response refreshed = given().cookie(REFRESH, verified.getCookie(REFRESH)).post("/api/auth/refresh");
        refreshed.then().statusCode(200).body("user.id", is(userId)).body("token_type", is("Bearer"));
        String newAccess = refreshed.path("access_token");
        assertNotEquals(access, newAccess);
        assertNotEquals(verified.getCookie(REFRESH), refreshed.getCookie(REFRESH));
        given().auth().oauth2(newAccess).get("/api/auth/me").then().statusCode(200).body("id", is(userId));

        Response out = given().cookie(REFRESH, refreshed.getCookie(REFRESH)).post("/api/auth/logout");
        out.then().statusCode(204);
        assertTrue(setCookie(out, REFRESH).matches("__Host-auth_refresh=;.*Max-Age=0.*"), "logout clears the cookie");
        given().cookie(REFRESH, refreshed.getCookie(REFRESH)).post("/api/auth/refresh")
                .then().statusCode(401).contentType("application/problem+json");
    }

    @Test
    void everyCookieIsSecureByDefault() {
        // the test profile leaves auth.cookie.secure at its default (LocalStackConfigTest turns it off)
        for (String cookie : cookiesOfASignIn(mailbox)) {
            assertTrue(isSecure(cookie), cookie);
            assertTrue(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"), cookie);
            // __Host-: the browser keeps it only if Secure, Path=/ and without Domain (no sibling subdomain can plant it)
            assertTrue(cookie.startsWith("__Host-") && hostOnlyRootPath(cookie), cookie);
        }
    }

    /** A cookie under the unprefixed name (planted over http or by a subdomain) is not read while cookies are Secure. */
    @Test
    void aCookieWithoutTheHostPrefixIsIgnored() {
        Signed s = login(mailbox, email());
        given().cookie(PLAIN_REFRESH, s.refreshToken()).post("/api/auth/refresh").then().statusCode(401);
        given().cookie(REFRESH, s.refreshToken()).post("/api/auth/refresh").then().statusCode(200);
        String ip = ip();
        Mailed m = requestLink(mailbox, email(), ip);
        from(ip).cookie(PLAIN_NONCE, m.nonce()).body(Map.of("code", m.code())).post("/api/auth/verify")
                .then().statusCode(401);
    }

    static boolean hostOnlyRootPath(String setCookie) {
        return java.util.regex.Pattern.compile("(?i);\\s*Path=/\\s*(;|$)").matcher(setCookie).find()
                && !setCookie.toLowerCase(java.util.Locale.ROOT).contains("domain=");
    }

    @Test
    void linkHostComesFromConfigNeverFromTheRequest() {
        String email = email();
        from(ip()).header("Host", "evil.example").header("X-Forwarded-Host", "evil.example")
                .header("Forwarded", "host=evil.example;proto=http")
                .body(Map.of("email", email)).post("/api/auth/magic-link").then().statusCode(202);
        String text = mailbox.getMailsSentTo(email).get(0).getText();
        assertTrue(LINK.matcher(text).find(), text);
        assertFalse(text.contains("evil.example"), text);
    }

    @Test
    void linkWorksOnlyOnce() {
        String ip = ip();
        Mailed m = requestLink(mailbox, email(), ip);
        verifyToken(m.token(), m.nonce(), ip).then().statusCode(200);
        verifyToken(m.token(), m.nonce(), ip).then().statusCode(401)
                .contentType("application/problem+json").body("status", is(401));
    }

    @Test
    void wrongAndMalformedTokensAreRejected() {
        String ip = ip();
        Mailed m = requestLink(mailbox, email(), ip);
        verifyToken(randomToken(), m.nonce(), ip).then().statusCode(401).contentType("application/problem+json");
        verifyToken("not-a-token", m.nonce(), ip).then().statusCode(401);
        // the real one is untouched by the failures
        verifyToken(m.token(), m.nonce(), ip).then().statusCode(200);
    }

    @Test
    void linkExpires() throws InterruptedException {
        String ip = ip();
        Mailed m = requestLink(mailbox, email(), ip);
        Thread.sleep(6_500); // %test.auth.magic-link.ttl=PT6S
        verifyToken(m.token(), m.nonce(), ip).then().statusCode(401);
    }

    @Test
    void aNewRequestKeepsTheLinksAndCodesAlreadySent() {
        String email = email();
        String ip = ip();
        Mailed first = requestLink(mailbox, email, ip);
        Mailed second = requestLink(mailbox, email, ip()); // another browser: a stranger, or the owner's phone
        assertNotEquals(first.token(), second.token());
        assertNotEquals(first.nonce(), second.nonce());
        // the first browser's code still works there, and the second link too
        from(ip).cookie(NONCE, first.nonce()).body(Map.of("code", first.code())).post("/api/auth/verify")
                .then().statusCode(200).body("user.email", is(email));
        verifyToken(second.token(), second.nonce(), ip).then().statusCode(200);
    }

    @Test
    void theSameBrowserKeepsItsNonceSoEveryCodeItWasSentWorks() {
        String email = email();
        String ip = ip();
        Mailed first = requestLink(mailbox, email, ip);
        Response again = from(ip).cookie(NONCE, first.nonce()).body(Map.of("email", email))
                .post("/api/auth/magic-link");
        again.then().statusCode(202);
        assertEquals(first.nonce(), again.getCookie(NONCE), "the browser keeps its nonce");
        Mailed second = lastMail(mailbox, email, again.getCookie(NONCE));
        assertNotEquals(first.code() + first.token(), second.code() + second.token());
        from(ip).cookie(NONCE, first.nonce()).body(Map.of("code", first.code())).post("/api/auth/verify")
                .then().statusCode(200);
        from(ip).cookie(NONCE, first.nonce()).body(Map.of("code", second.code())).post("/api/auth/verify")
                .then().statusCode(200);
        // a browser whose nonce belongs to another address gets a fresh one
        Response other = from(ip).cookie(NONCE, first.nonce()).body(Map.of("email", email()))
                .post("/api/auth/magic-link");
        assertNotEquals(first.nonce(), other.getCookie(NONCE));
    }

    /**
     * A guesser asks for links and tries codes in rounds from fresh browsers (4 a round stays under the
     * per-browser burn): the wrong codes add up per address, and at 10 every pending code of the address is
     * void, the right ones included, while the owner's link still signs in and the owner is told by mail.
     */
    @Test
    void wrongCodesAreCountedPerAddressAcrossRequests() {
        String email = email();
        Mailed owners = requestLink(mailbox, email, ip());
        int wrong = 0;
        Mailed round = null;
        while (wrong < 10) {
            String ip = ip();
            round = requestLink(mailbox, email, ip);
            for (int i = 0; i < 4 && wrong < 10; i++) {
                String guess = String.format("%06d", (Integer.parseInt(round.code()) + 1 + i) % 1_000_000);
                Response r = from(ip).cookie(NONCE, round.nonce()).body(Map.of("code", guess))
                        .post("/api/auth/verify");
                assertEquals(401, r.statusCode(), r.asString());
                wrong++;
                if (wrong == 10) {
                    assertTrue(r.<String>path("detail").contains("this address"), r.asString());
                }
            }
        }
        from(ip()).cookie(NONCE, round.nonce()).body(Map.of("code", round.code())).post("/api/auth/verify")
                .then().statusCode(401).body("detail", containsString("open the link"));
        from(ip()).cookie(NONCE, owners.nonce()).body(Map.of("code", owners.code())).post("/api/auth/verify")
                .then().statusCode(401);
        List<io.quarkus.mailer.Mail> mails = mailbox.getMailsSentTo(email);
        assertEquals("Too many wrong sign-in codes", mails.get(mails.size() - 1).getSubject());
        assertEquals(1, mails.stream().filter(m -> m.getSubject().startsWith("Too many")).count(), "told once");
        verifyToken(owners.token(), owners.nonce(), ip()).then().statusCode(200).body("user.email", is(email));
    }

    @Test
    void getAndHeadOnAuthRoutesNeverConsumeTheToken() {
        String ip = ip();
        Mailed m = requestLink(mailbox, email(), ip);
        // the link carries the token in its fragment, which no client sends; it points at the web UI
        // (relay-service), and auth-service serves nothing on that path
        String linkPath = URI.create(m.link()).getPath();
        assertEquals("/auth/callback", linkPath);
        assertEquals("token=" + m.token(), URI.create(m.link()).getFragment());
        // a scanner (or prefetching browser, cookies and all) that turned the fragment into a query,
        // against every auth route: no GET or HEAD succeeds, and none consumes anything
        for (String path : List.of(linkPath, "/api/auth/verify", "/api/auth/magic-link", "/api/auth/refresh")) {
            for (String method : List.of("GET", "HEAD")) {
                int status = given().cookie(NONCE, m.nonce()).queryParam("token", m.token())
                        .request(method, path).statusCode();
                assertTrue(status == 404 || status == 405, method + " " + path + " -> " + status);
            }
        }
        given().queryParam("token", m.token()).get("/api/auth/verify").then().statusCode(405);
        // the token is intact: the page's POST still signs in, once
        verifyToken(m.token(), m.nonce(), ip).then().statusCode(200);
        verifyToken(m.token(), m.nonce(), ip).then().statusCode(401);
    }

    @Test
    void otherBrowserMustConfirmAndPeekingConsumesNothing() {
        String email = email();
        String ip = ip();
        Mailed m = requestLink(mailbox, email, ip);
        for (String otherNonce : new String[] {null, randomToken()}) {
            verifyToken(m.token(), otherNonce, ip).then().statusCode(409)
                    .contentType("application/problem+json")
                    .body("confirmation_required", is(true))
                    .body("email", is(email));
        }
        from(ip).body(Map.of("token", m.token(), "confirm", true)).post("/api/auth/verify")
                .then().statusCode(200).body("user.email", is(email));
        from(ip).body(Map.of("token", m.token(), "confirm", true)).post("/api/auth/verify").then().statusCode(401);
    }

    @Test
    void codeWorksInTheAskingBrowserOnly() {
        String email = email();
        String ip = ip();
        Mailed m = requestLink(mailbox, email, ip);
        from(ip).body(Map.of("code", m.code())).post("/api/auth/verify").then().statusCode(401);
        from(ip).cookie(NONCE, randomToken()).body(Map.of("code", m.code())).post("/api/auth/verify")
                .then().statusCode(401);
        from(ip).cookie(NONCE, m.nonce()).body(Map.of("code", m.code())).post("/api/auth/verify")
                .then().statusCode(200).body("user.email", is(email));
        // single use: neither the code nor the link works afterwards
        from(ip).cookie(NONCE, m.nonce()).body(Map.of("code", m.code())).post("/api/auth/verify")
                .then().statusCode(401);
        verifyToken(m.token(), m.nonce(), ip).then().statusCode(401);
    }

    @Test
    void fiveWrongCodesBurnTheLogin() {
        String ip = ip();
        Mailed m = requestLink(mailbox, email(), ip);
        String wrong = m.code().equals("000000") ? "000001" : "000000";
        for (int i = 1; i <= 4; i++) {
            from(ip).cookie(NONCE, m.nonce()).body(Map.of("code", wrong)).post("/api/auth/verify")
                    .then().statusCode(401).body("detail", containsString("not correct"));
        }
        from(ip).cookie(NONCE, m.nonce()).body(Map.of("code", wrong)).post("/api/auth/verify")
                .then().statusCode(401).body("detail", containsString("Too many wrong codes"));
        from(ip).cookie(NONCE, m.nonce()).body(Map.of("code", m.code())).post("/api/auth/verify")
                .then().statusCode(401);
        verifyToken(m.token(), m.nonce(), ip).then().statusCode(401);
    }

    @Test
    void fourWrongCodesStillAllowTheRightOne() {
        String ip = ip();
        Mailed m = requestLink(mailbox, email(), ip);
        String wrong = m.code().equals("000000") ? "000001" : "000000";
        for (int i = 0; i < 4; i++) {
            from(ip).cookie(NONCE, m.nonce()).body(Map.of("code", wrong)).post("/api/auth/verify")
                    .then().statusCode(401);
        }
        from(ip).cookie(NONCE, m.nonce()).body(Map.of("code", m.code())).post("/api/auth/verify")
                .then().statusCode(200);
    }

    @Test
    void noUserEnumeration() {
        String known = email();
        login(mailbox, known);
        String unknown = email();
        String ip = ip();
        Response a = from(ip).body(Map.of("email", known)).post("/api/auth/magic-link");
        Response b = from(ip).body(Map.of("email", unknown)).post("/api/auth/magic-link");
        assertEquals(202, a.statusCode());
        assertEquals(a.statusCode(), b.statusCode());
        assertEquals(a.asString(), b.asString());
        assertEquals(a.getHeaders().getValues("Set-Cookie").size(), b.getHeaders().getValues("Set-Cookie").size());
        assertEquals(a.getCookie(NONCE).length(), b.getCookie(NONCE).length());
        assertEquals(a.contentType(), b.contentType());
        // both addresses got the same kind of mail; the unknown one has no account until it verifies
        assertEquals(2, mailbox.getMailsSentTo(known).size());
        assertEquals(1, mailbox.getMailsSentTo(unknown).size());
    }

    @Test
    void aNewAddressGetsAUserRowOnlyWhenVerified() {
        String email = email();
        String ip = ip();
        Mailed m = requestLink(mailbox, email, ip);
        assertEquals(0, usersWithAddress(email), "requesting a link creates no account");
        // neither do the attempts that consume nothing or fail
        verifyToken(m.token(), null, ip).then().statusCode(409);
        String wrong = m.code().equals("000000") ? "000001" : "000000";
        from(ip).cookie(NONCE, m.nonce()).body(Map.of("code", wrong)).post("/api/auth/verify")
                .then().statusCode(401);
        verifyToken(randomToken(), m.nonce(), ip).then().statusCode(401);
        assertEquals(0, usersWithAddress(email));

        String id = verifyToken(m.token(), m.nonce(), ip).then().statusCode(200).extract().path("user.id");
        assertEquals(1, usersWithAddress(email), "the verified login created it");
        assertEquals(id, QuarkusTransaction.requiringNew().call(() -> em.createNativeQuery(
                "select cast(id as varchar) from users where lower(email) = lower(?1)").setParameter(1, email)
                .getSingleResult()));
    }

    @Test
    void addressIsNormalisedAndCaseInsensitive() {
        String local = "Mixed." + UUID.randomUUID();
        String ip = ip();
        from(ip).body(Map.of("email", "  " + local + "@EXAMPLE.Com ")).post("/api/auth/magic-link").then().statusCode(202);
        Mailed m = requestLink(mailbox, local + "@example.com", ip);
        String firstId = verifyToken(m.token(), m.nonce(), ip).then().statusCode(200)
                .body("user.email", is(local + "@example.com")).extract().path("user.id");
        // the same mailbox spelled in another case is the same user
        Signed again = login(mailbox, local.toLowerCase() + "@example.com");
        assertEquals(firstId, again.userId());
    }

    @Test
    void verifyNeedsExactlyOneOfTokenAndCode() {
        String ip = ip();
        from(ip).body(Map.of()).post("/api/auth/verify").then().statusCode(400).contentType("application/problem+json");
        from(ip).body(Map.of("token", randomToken(), "code", "123456")).post("/api/auth/verify").then().statusCode(400);
        from(ip).cookie(NONCE, randomToken()).body(Map.of("code", "12ab56")).post("/api/auth/verify")
                .then().statusCode(400);
        from(ip).contentType(ContentType.JSON).body("{\"token\":\"x\",\"admin\":true}").post("/api/auth/verify")
                .then().statusCode(400).contentType("application/problem+json");
    }
}
