package io.chatplatform.auth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.mailer.MockMailbox;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.jose4j.jwa.AlgorithmConstraints;
import org.jose4j.jwk.PublicJsonWebKey;
import org.jose4j.jwk.RsaJsonWebKey;
import org.jose4j.jwk.RsaJwkGenerator;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.keys.HmacKey;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Access tokens as a verifying service sees them: auth-service protects /api/auth/me with smallrye-jwt
 * configured exactly like session/chat/relay (pinned RS256, issuer, audience, keys only from the JWKS,
 * typ at+jwt), here against test-keys/test-only-jwks.json, which must equal what /api/auth/jwks serves.
 */
@QuarkusTest
class JwtVerificationTest {

    static final String CURRENT_KID = "IO12PiFRuI9baw6-5E_1kFMX13etUca1-e4WuJPqagc";
    static final String PREVIOUS_KID = "hKgBjjoGIzIa64yIghoNTXvlVWJMOF9kvaoSGvAr1ms";
    static final ObjectMapper JSON = new ObjectMapper();

    @Inject
    MockMailbox mailbox;

    TestSupport.Signed user;

    @BeforeEach
    void signIn() {
        user = TestSupport.login(mailbox, TestSupport.email());
    }

    @Test
    void jwksServesExactlyTheTestKeySetItVerifiesAgainst() throws Exception {
        String served = given().get("/api/auth/jwks").then().statusCode(200)
                .header("Cache-Control", "public, max-age=300").extract().asString();
        JsonNode expected = JSON.readTree(resource("test-keys/test-only-jwks.json")).get("keys");
        JsonNode actual = JSON.readTree(served).get("keys");
        assertEquals(2, actual.size(), "current key plus the previous one during rotation");
        for (int i = 0; i < 2; i++) {
            for (String field : List.of("kty", "kid", "n", "e", "alg", "use")) {
                assertEquals(expected.get(i).get(field), actual.get(i).get(field), field + " of key " + i);
            }
            assertNull(actual.get(i).get("d"), "never a private part");
        }
        assertEquals(CURRENT_KID, actual.get(0).get("kid").asText());
    }

    @Test
    void issuedTokenHasTheDesignClaimsAndHeader() throws Exception {
        String[] parts = user.accessToken().split("\\.");
        JsonNode header = JSON.readTree(Base64.getUrlDecoder().decode(parts[0]));
        JsonNode claims = JSON.readTree(Base64.getUrlDecoder().decode(parts[1]));
        assertEquals("RS256", header.get("alg").asText());
        assertEquals("at+jwt", header.get("typ").asText());
        assertEquals(CURRENT_KID, header.get("kid").asText());
        assertEquals("chat-platform", claims.get("iss").asText());
        String aud = claims.get("aud").isArray() ? claims.get("aud").get(0).asText() : claims.get("aud").asText();
        assertEquals("chat-platform", aud);
        assertEquals(user.userId(), claims.get("sub").asText());
        assertEquals(user.email(), claims.get("upn").asText());
        assertEquals("[\"user\"]", claims.get("groups").toString());
        assertDoesNotThrow(() -> UUID.fromString(claims.get("jti").asText()));
        assertEquals(900, claims.get("exp").asLong() - claims.get("iat").asLong());
    }

    @Test
    void wellFormedTokensAreAccepted() throws Exception {
        accepted(user.accessToken());
        accepted(sign(current(), CURRENT_KID, claims(c -> { }), Map.of()));
        // rotation: a token of the previous key still verifies while that key is published
        accepted(sign(key("test-keys/test-only-previous-key.pem"), PREVIOUS_KID, claims(c -> { }), Map.of()));
        accepted(sign(current(), CURRENT_KID, claims(c -> { }), Map.of("typ", "application/at+jwt")));
    }

    @Test
    void changedPayloadIsRejected() throws Exception {
        String[] parts = user.accessToken().split("\\.");
        String other = TestSupport.login(mailbox, TestSupport.email()).userId();
        String payload = new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8)
                .replace(user.userId(), other);
        rejected(parts[0] + "." + b64(payload.getBytes(StandardCharsets.UTF_8)) + "." + parts[2]);
        // and the signature of another token does not fit either
        String[] otherParts = sign(current(), CURRENT_KID, claims(c -> c.setSubject(other)), Map.of()).split("\\.");
        rejected(parts[0] + "." + parts[1] + "." + otherParts[2]);
    }

    @Test
    void algNoneIsRejected() throws Exception {
        String header = b64("{\"alg\":\"none\",\"typ\":\"at+jwt\",\"kid\":\"" + CURRENT_KID + "\"}");
        String payload = b64(claims(c -> { }).toJson());
        rejected(header + "." + payload + ".");
        JsonWebSignature jws = new JsonWebSignature();
        jws.setPayload(claims(c -> { }).toJson());
        jws.setAlgorithmHeaderValue(AlgorithmIdentifiers.NONE);
        jws.setAlgorithmConstraints(AlgorithmConstraints.NO_CONSTRAINTS);
        jws.setHeader("typ", "at+jwt");
        rejected(jws.getCompactSerialization());
    }

    @Test
    void hs256SignedWithThePublicKeyIsRejected() throws Exception {
        String pem = resource("test-keys/test-only-signing-key.pub.pem");
        String header = b64("{\"alg\":\"HS256\",\"typ\":\"at+jwt\",\"kid\":\"" + CURRENT_KID + "\"}");
        String payload = b64(claims(c -> { }).toJson());
        for (byte[] secret : List.of(pem.getBytes(StandardCharsets.US_ASCII),
                pemBody(pem, "PUBLIC KEY"))) {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            byte[] sig = mac.doFinal((header + "." + payload).getBytes(StandardCharsets.US_ASCII));
            rejected(header + "." + payload + "." + b64(sig));
        }
        JsonWebSignature jws = new JsonWebSignature();
        jws.setPayload(claims(c -> { }).toJson());
        jws.setAlgorithmHeaderValue(AlgorithmIdentifiers.HMAC_SHA256);
        jws.setKey(new HmacKey(pem.getBytes(StandardCharsets.US_ASCII)));
        jws.setKeyIdHeaderValue(CURRENT_KID);
        jws.setHeader("typ", "at+jwt");
        rejected(jws.getCompactSerialization());
    }

    @Test
    void wrongIssuerOrAudienceIsRejected() throws Exception {
        rejected(sign(current(), CURRENT_KID, claims(c -> c.setIssuer("someone-else")), Map.of()));
        rejected(sign(current(), CURRENT_KID, claims(c -> c.setAudience("another-platform")), Map.of()));
        rejected(sign(current(), CURRENT_KID, claims(c -> c.unsetClaim("aud")), Map.of()));
    }

    @Test
    void expiredAndNotYetValidTokensAreRejected() throws Exception {
        long now = Instant.now().getEpochSecond();
        rejected(sign(current(), CURRENT_KID, claims(c -> {
            c.setIssuedAt(org.jose4j.jwt.NumericDate.fromSeconds(now - 1200));
            c.setExpirationTime(org.jose4j.jwt.NumericDate.fromSeconds(now - 120)); // beyond the 60 s skew
        }), Map.of()));
        rejected(sign(current(), CURRENT_KID, claims(c ->
                c.setNotBefore(org.jose4j.jwt.NumericDate.fromSeconds(now + 600))), Map.of()));
    }

    @Test
    void unknownKidIsRejected() throws Exception {
        RsaJsonWebKey stranger = RsaJwkGenerator.generateJwk(2048);
        String strangerKid = stranger.calculateBase64urlEncodedThumbprint("SHA-256");
        rejected(sign(stranger.getPrivateKey(), strangerKid, claims(c -> { }), Map.of()));
        rejected(sign(stranger.getPrivateKey(), CURRENT_KID, claims(c -> { }), Map.of()));
        // even the right key under a kid the JWKS does not list
        rejected(sign(current(), "unknown-kid", claims(c -> { }), Map.of()));
    }

    @Test
    void keysNamedByTheTokenAreNeverUsed() throws Exception {
        // a jku pointing elsewhere, on a token otherwise perfectly valid
        rejected(sign(current(), CURRENT_KID, claims(c -> { }), Map.of("jku", "https://evil.example/jwks.json")));
        rejected(sign(current(), CURRENT_KID, claims(c -> { }), Map.of("x5u", "https://evil.example/cert.pem")));
        // an embedded attacker key (jwk header) signing the token
        RsaJsonWebKey attacker = RsaJwkGenerator.generateJwk(2048);
        JsonWebSignature jws = jws(attacker.getPrivateKey(), CURRENT_KID, claims(c -> { }), Map.of());
        jws.setJwkHeader(PublicJsonWebKey.Factory.newPublicJwk(attacker.getPublicKey()));
        rejected(jws.getCompactSerialization());
        // and the same with a valid signature: the header alone disqualifies it
        JsonWebSignature valid = jws(current(), CURRENT_KID, claims(c -> { }), Map.of());
        valid.setJwkHeader(PublicJsonWebKey.Factory.newPublicJwk(attacker.getPublicKey()));
        rejected(valid.getCompactSerialization());
    }

    @Test
    void tokensWithoutTypAtJwtAreRejected() throws Exception {
        JsonWebSignature noTyp = new JsonWebSignature();
        noTyp.setPayload(claims(c -> { }).toJson());
        noTyp.setAlgorithmHeaderValue(AlgorithmIdentifiers.RSA_USING_SHA256);
        noTyp.setKey(current());
        noTyp.setKeyIdHeaderValue(CURRENT_KID);
        assertNull(JSON.readTree(Base64.getUrlDecoder().decode(noTyp.getCompactSerialization().split("\\.")[0])).get("typ"));
        rejected(noTyp.getCompactSerialization());
        rejected(sign(current(), CURRENT_KID, claims(c -> { }), Map.of("typ", "JWT")));
        rejected(sign(current(), CURRENT_KID, claims(c -> { }), Map.of("typ", "id_token+jwt")));
    }

    @Test
    void missingOrGarbageBearerIsRejected() {
        given().get("/api/auth/me").then().statusCode(401)
                .contentType("application/problem+json").header("WWW-Authenticate", startsWith("Bearer"));
        given().get("/api/auth/sessions").then().statusCode(401).contentType("application/problem+json");
        given().auth().oauth2("garbage").get("/api/auth/me").then().statusCode(401);
        given().header("Authorization", "Basic dXNlcjpwYXNz").get("/api/auth/me").then().statusCode(401);
    }

    // --- helpers ---

    private void accepted(String token) {
        given().auth().oauth2(token).get("/api/auth/me").then().statusCode(200).body("id", is(user.userId()));
    }

    private static void rejected(String token) {
        given().auth().oauth2(token).get("/api/auth/me").then().statusCode(401)
                .contentType("application/problem+json").header("WWW-Authenticate", startsWith("Bearer"))
                .body("status", is(401));
    }

    private JwtClaims claims(Consumer<JwtClaims> change) {
        JwtClaims c = new JwtClaims();
        c.setIssuer("chat-platform");
        c.setAudience("chat-platform");
        c.setSubject(user.userId());
        c.setClaim("upn", user.email());
        c.setStringListClaim("groups", "user");
        c.setJwtId(UUID.randomUUID().toString());
        c.setIssuedAtToNow();
        c.setExpirationTimeMinutesInTheFuture(15);
        change.accept(c);
        return c;
    }

    private static JsonWebSignature jws(PrivateKey key, String kid, JwtClaims claims, Map<String, String> headers) {
        JsonWebSignature jws = new JsonWebSignature();
        jws.setPayload(claims.toJson());
        jws.setAlgorithmHeaderValue(AlgorithmIdentifiers.RSA_USING_SHA256);
        jws.setKey(key);
        jws.setKeyIdHeaderValue(kid);
        jws.setHeader("typ", "at+jwt");
        headers.forEach(jws::setHeader);
        return jws;
    }

    private static String sign(PrivateKey key, String kid, JwtClaims claims, Map<String, String> headers) throws Exception {
        return jws(key, kid, claims, headers).getCompactSerialization();
    }

    private static PrivateKey current() throws Exception {
        return key("test-keys/test-only-signing-key.pem");
    }

    private static PrivateKey key(String resource) throws Exception {
        return KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(pemBody(resource(resource), "PRIVATE KEY")));
    }

    private static byte[] pemBody(String pem, String type) {
        String body = pem.replace("-----BEGIN " + type + "-----", "").replace("-----END " + type + "-----", "");
        return Base64.getMimeDecoder().decode(body.strip());
    }

    private static String resource(String name) throws Exception {
        try (InputStream in = JwtVerificationTest.class.getClassLoader().getResourceAsStream(name)) {
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        }
    }

    private static String b64(String s) {
        return b64(s.getBytes(StandardCharsets.UTF_8));
    }

    private static String b64(byte[] b) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }
}
