package io.chatplatform.auth;

import io.quarkus.mailer.Mail;
import io.quarkus.mailer.MockMailbox;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.redis.datasource.stream.StreamMessage;
import io.quarkus.redis.datasource.stream.StreamRange;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import jakarta.persistence.EntityManager;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Helpers shared by the tests: unique addresses and client IPs, the mock mailbox, the login steps. */
public final class TestSupport {

    static final Pattern LINK = Pattern.compile("https://chat\\.example\\.test/auth/callback#token=([A-Za-z0-9_-]{43})");
    static final Pattern CODE = Pattern.compile("enter this code there: ([0-9]{6})");

    /**
     * The cookie names a browser sees with Secure cookies (the default), spelled out here so a rename in
     * the code fails the tests; {@code PLAIN_*} are the names without Secure (local http).
     */
    public static final String REFRESH = "__Host-auth_refresh";
    public static final String NONCE = "__Host-auth_nonce";
    public static final String PLAIN_REFRESH = "auth_refresh";
    public static final String PLAIN_NONCE = "auth_nonce";

    /** A cookie set by {@code r}, under its Secure name or, in the plain-http profiles, its plain one. */
    static String cookieOf(Response r, String secureName) {
        String v = r.getCookie(secureName);
        return v != null ? v : r.getCookie(secureName.substring("__Host-".length()));
    }

    /** Name of the cookie {@code r} set: the Secure or the plain one. */
    static String nameIn(Response r, String secureName) {
        return r.getCookie(secureName) != null ? secureName : secureName.substring("__Host-".length());
    }

    private static final SecureRandom RANDOM = new SecureRandom();

    private TestSupport() {
    }

    /** A fresh address per test: the shared Redis keeps rate-limit windows across runs. */
    public static String email() {
        return "user-" + UUID.randomUUID() + "@example.com";
    }

    /** A well-formed token nobody was ever sent (the shape of the service's tokens, nonces and refresh tokens). */
    public static String randomToken() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /**
     * The address the local nginx connects from (its proxy_bind), the only trusted proxy by default: requests
     * {@link #from} it carry the client IP in X-Forwarded-For as the ingress sends it.
     */
    public static final String INGRESS = "127.0.0.2";

    private static final io.restassured.config.RestAssuredConfig VIA_INGRESS = io.restassured.config.RestAssuredConfig.config()
            .httpClient(io.restassured.config.HttpClientConfig.httpClientConfig()
                    .setParam("http.route.local-address", address(INGRESS)));

    static java.net.InetAddress address(String literal) {
        try {
            return java.net.InetAddress.getByName(literal);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A fresh client IP per test, passed through the trusted proxy ({@link #INGRESS}). */
    public static String ip() {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        return "10." + r.nextInt(256) + "." + r.nextInt(256) + "." + (1 + r.nextInt(254));
    }

    public static RequestSpecification from(String ip) {
        return given().config(VIA_INGRESS).header("X-Forwarded-For", ip).contentType(ContentType.JSON);
    }

    /** The sign-in mail of one request. */
    public record Mailed(String token, String code, String nonce, String link) {
    }

    public static Mailed requestLink(MockMailbox mailbox, String email, String ip) {
        int before = mailbox.getMailsSentTo(email) == null ? 0 : mailbox.getMailsSentTo(email).size();
        Response r = from(ip).body(Map.of("email", email)).post("/api/auth/magic-link");
        assertEquals(202, r.statusCode(), r.asString());
        assertEquals(before + 1, mailbox.getMailsSentTo(email).size(), "one new mail for " + email);
        return lastMail(mailbox, email, cookieOf(r, NONCE));
    }

    /** The link and code of the newest mail to {@code email}. */
    public static Mailed lastMail(MockMailbox mailbox, String email, String nonce) {
        List<Mail> mails = mailbox.getMailsSentTo(email);
        String text = mails.get(mails.size() - 1).getText();
        Matcher link = LINK.matcher(text);
        Matcher code = CODE.matcher(text);
        assertTrue(link.find(), text);
        assertTrue(code.find(), text);
        return new Mailed(link.group(1), code.group(1), nonce, link.group());
    }

    public static Response verifyToken(String token, String nonce, String ip) {
        RequestSpecification spec = from(ip).body(Map.of("token", token));
        if (nonce != null) {
            // both names: the helper serves the plain-http profiles too (the service reads only its configured name)
            spec = spec.cookie(NONCE, nonce).cookie(PLAIN_NONCE, nonce);
        }
        return spec.post("/api/auth/verify");
    }

    /** The whole Set-Cookie header that sets (or clears) cookie {@code name}, to check its attributes. */
    public static String setCookie(Response r, String name) {
        return r.getHeaders().getValues("Set-Cookie").stream().filter(c -> c.startsWith(name + "="))
                .findFirst().orElseThrow(() -> new AssertionError("no Set-Cookie for " + name + ": " + r.getHeaders()));
    }

    /** Every cookie a whole sign-in sets or clears: nonce, refresh from verify and from refresh, logout's clearing. */
    public static List<String> cookiesOfASignIn(MockMailbox mailbox) {
        String ip = ip();
        String email = email();
        Response requested = from(ip).body(Map.of("email", email)).post("/api/auth/magic-link");
        assertEquals(202, requested.statusCode(), requested.asString());
        Mailed m = lastMail(mailbox, email, cookieOf(requested, NONCE));
        String nonceName = nameIn(requested, NONCE);
        Response verified = verifyToken(m.token(), m.nonce(), ip);
        assertEquals(200, verified.statusCode(), verified.asString());
        String refreshName = nameIn(verified, REFRESH);
        Response refreshed = given().cookie(refreshName, verified.getCookie(refreshName)).post("/api/auth/refresh");
        assertEquals(200, refreshed.statusCode(), refreshed.asString());
        Response out = given().cookie(refreshName, refreshed.getCookie(refreshName)).post("/api/auth/logout");
        assertEquals(204, out.statusCode());
        return List.of(setCookie(requested, nonceName), setCookie(verified, nonceName),
                setCookie(verified, refreshName), setCookie(refreshed, refreshName), setCookie(out, refreshName));
    }

    /** Whether a Set-Cookie header carries the Secure attribute. */
    public static boolean isSecure(String setCookie) {
        return Pattern.compile("(?i);\\s*Secure\\s*(;|$)").matcher(setCookie).find();
    }

    /** The signed-in state of a test user. */
    public record Signed(String userId, String email, String accessToken, String refreshToken) {
    }

    public static Signed login(MockMailbox mailbox, String email) {
        return login(mailbox, email, "TestSupport/1.0");
    }

    /** Signs in from a browser that identifies as {@code userAgent} (listed as the device). */
    public static Signed login(MockMailbox mailbox, String email, String userAgent) {
        String ip = ip();
        Mailed m = requestLink(mailbox, email, ip);
        Response r = from(ip).header("User-Agent", userAgent).cookie(NONCE, m.nonce())
                .body(Map.of("token", m.token())).post("/api/auth/verify");
        assertEquals(200, r.statusCode(), r.asString());
        return new Signed(r.path("user.id"), r.path("user.email"), r.path("access_token"), r.getCookie(REFRESH));
    }

    /** The stream of DESIGN.md, spelled out here so a rename in the code fails the tests. */
    public static final String USER_EVENTS = "platform:user-events";

    /** An exclusive start for XRANGE: entries added after this call. */
    public static String lastUserEventId(RedisDataSource redis) {
        var last = redis.execute("XREVRANGE", USER_EVENTS, "+", "-", "COUNT", "1");
        return "(" + (last == null || last.size() == 0 ? "0-0" : last.get(0).get(0).toString());
    }

    public static Optional<StreamMessage<String, String, String>> userEventAfter(RedisDataSource redis, String after,
                                                                                 String userId) {
        return redis.stream(String.class).xrange(USER_EVENTS, StreamRange.of(after, "+")).stream()
                .filter(e -> userId.equals(e.payload().get("user_id"))).findFirst();
    }

    /** Rows of the outbox for one user: committed events not yet known to be on the stream. */
    public static long pendingUserEvents(EntityManager em, String userId) {
        return QuarkusTransaction.requiringNew().call(() -> ((Number) em.createNativeQuery(
                        "select count(*) from user_events_outbox where user_id = cast(?1 as uuid)")
                .setParameter(1, userId).getSingleResult()).longValue());
    }
}
