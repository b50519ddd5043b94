package io.chatplatform.common.token;

import org.jose4j.jwk.JsonWebKey;
import org.jose4j.jwk.JsonWebKeySet;
import org.jose4j.jwk.PublicJsonWebKey;
import org.jose4j.jwk.RsaJsonWebKey;
import org.jose4j.lang.JoseException;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.List;

/** Reads the key documents smallrye accepts at {@code mp.jwt.verify.publickey.location}: a JWKS, one JWK or a PEM public key. */
final class KeyDocuments {

    private static final String PEM_BEGIN = "-----BEGIN PUBLIC KEY-----";
    private static final String PEM_END = "-----END PUBLIC KEY-----";

    private KeyDocuments() {
    }

    /** The RSA signature keys of the document (RS256 is pinned, so no other key could verify anything). */
    static List<PublicJsonWebKey> parse(String document) throws JoseException, GeneralSecurityException {
        String text = document.strip();
        if (text.startsWith(PEM_BEGIN)) {
            int end = text.indexOf(PEM_END);
            byte[] der = Base64.getMimeDecoder().decode(text.substring(PEM_BEGIN.length(), end < 0 ? text.length() : end));
            RSAPublicKey key = (RSAPublicKey) KeyFactory.getInstance("RSA").generatePublic(new X509EncodedKeySpec(der));
            return List.of(new RsaJsonWebKey(key));
        }
        List<JsonWebKey> keys = text.contains("\"keys\"")
                ? new JsonWebKeySet(text).getJsonWebKeys() : List.of(JsonWebKey.Factory.newJwk(text));
        return keys.stream()
                .filter(k -> k instanceof RsaJsonWebKey)
                .filter(k -> k.getUse() == null || "sig".equals(k.getUse()))
                .filter(k -> k.getAlgorithm() == null || "RS256".equals(k.getAlgorithm()))
                .map(k -> (PublicJsonWebKey) k)
                .toList();
    }

    /** A file path, else a class-path resource (how the tests name their keys). */
    static String readLocal(String location) throws IOException {
        String name = location.startsWith("file:") ? location.substring("file:".length()) : location;
        Path path = Path.of(name);
        if (Files.isRegularFile(path)) {
            return Files.readString(path, StandardCharsets.UTF_8);
        }
        String resource = name.startsWith("classpath:") ? name.substring("classpath:".length()) : name;
        try (InputStream in = Thread.currentThread().getContextClassLoader()
                .getResourceAsStream(resource.startsWith("/") ? resource.substring(1) : resource)) {
            if (in == null) {
                throw new IOException("Verification key not found: " + location);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
