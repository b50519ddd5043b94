package io.chatplatform.common.token;

import io.smallrye.jwt.auth.principal.ParseException;
import org.jose4j.jwk.PublicJsonWebKey;
import org.jose4j.jwk.RsaJsonWebKey;
import org.jose4j.jwk.JsonWebKey;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.security.KeyPairGenerator;
import java.security.interfaces.RSAPublicKey;
import java.util.Base64;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The checks made before any signature work, and the key documents the services accept. */
class TokenPiecesTest {

    static String token(String headerJson) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(headerJson.getBytes(StandardCharsets.UTF_8))
                + ".e30.c2ln";
    }

    @Test
    void onlyAccessTokensPassTheHeaderCheck() {
        assertDoesNotThrow(() -> AccessTokenPrincipalFactory.checkHeader(token("{\"alg\":\"RS256\",\"typ\":\"at+jwt\"}")));
        assertDoesNotThrow(() -> AccessTokenPrincipalFactory.checkHeader(
                token("{\"alg\":\"RS256\",\"typ\":\"Application/AT+JWT\"}")));
        assertThrows(ParseException.class, () -> AccessTokenPrincipalFactory.checkHeader(token("{\"alg\":\"RS256\",\"typ\":\"JWT\"}")));
        assertThrows(ParseException.class, () -> AccessTokenPrincipalFactory.checkHeader(token("{\"alg\":\"RS256\"}")));
    }

    @Test
    void headersThatNameTheirOwnKeyAreRefused() {
        for (String member : List.of("jku", "jwk", "x5u", "x5c")) {
            String header = "{\"alg\":\"RS256\",\"typ\":\"at+jwt\",\"" + member + "\":\"https://evil.example/k\"}";
            assertThrows(ParseException.class, () -> AccessTokenPrincipalFactory.checkHeader(token(header)), member);
        }
    }

    @Test
    void somethingThatIsNoCompactJwsIsRefused() {
        assertThrows(ParseException.class, () -> AccessTokenPrincipalFactory.checkHeader("no-dots"));
        assertThrows(ParseException.class, () -> AccessTokenPrincipalFactory.checkHeader("!!!.e30.c2ln"));
        assertThrows(ParseException.class, () -> AccessTokenPrincipalFactory.checkHeader(token("[1,2]")));
    }

    @Test
    void aPemKeyAndTheRsaSigningKeysOfAJwksAreRead() throws Exception {
        KeyPairGenerator gen = KeyPairGenerator.getInstance("RSA");
        gen.initialize(2048);
        RSAPublicKey key = (RSAPublicKey) gen.generateKeyPair().getPublic();
        String pem = "-----BEGIN PUBLIC KEY-----\n" + Base64.getMimeEncoder().encodeToString(key.getEncoded())
                + "\n-----END PUBLIC KEY-----\n";
        List<PublicJsonWebKey> fromPem = KeyDocuments.parse(pem);
        assertEquals(key, fromPem.get(0).getPublicKey());

        RsaJsonWebKey signing = new RsaJsonWebKey(key);
        signing.setKeyId("a");
        signing.setUse("sig");
        RsaJsonWebKey encryption = new RsaJsonWebKey(key);
        encryption.setKeyId("b");
        encryption.setUse("enc");
        String jwks = "{\"keys\":[" + signing.toJson(JsonWebKey.OutputControlLevel.PUBLIC_ONLY) + ","
                + encryption.toJson(JsonWebKey.OutputControlLevel.PUBLIC_ONLY) + "]}";
        List<PublicJsonWebKey> fromJwks = KeyDocuments.parse(jwks);
        assertEquals(1, fromJwks.size(), "an encryption key verifies nothing");
        assertEquals("a", fromJwks.get(0).getKeyId());
    }
}
