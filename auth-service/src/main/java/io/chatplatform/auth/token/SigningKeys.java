package io.chatplatform.auth.token;

import io.chatplatform.auth.AuthConfig;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
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
import java.security.PrivateKey;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.RSAPublicKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * The RSA key that signs access tokens ({@code AUTH_SIGNING_KEY}) and the public keys published at
 * {@code /api/auth/jwks}: the current one plus, during a rotation, the previous one. Each key's
 * {@code kid} is its RFC 7638 thumbprint, so it changes exactly when the key does.
 */
@Startup
@ApplicationScoped
public class SigningKeys {

    private final PrivateKey privateKey;
    private final String kid;
    private final String jwksJson;
    private final List<PublicJsonWebKey> publicKeys;

    public SigningKeys(AuthConfig config) {
        try {
            RSAPrivateCrtKey key = (RSAPrivateCrtKey) KeyFactory.getInstance("RSA")
                    .generatePrivate(new PKCS8EncodedKeySpec(pem(read(config.signingKey()), "PRIVATE KEY")));
            RSAPublicKey publicKey = (RSAPublicKey) KeyFactory.getInstance("RSA")
                    .generatePublic(new RSAPublicKeySpec(key.getModulus(), key.getPublicExponent()));
            this.privateKey = key;
            List<JsonWebKey> keys = new ArrayList<>();
            RsaJsonWebKey current = publicJwk(publicKey);
            this.kid = current.getKeyId();
            keys.add(current);
            var previous = config.previousPublicKey().filter(p -> !p.isBlank());
            if (previous.isPresent()) {
                RSAPublicKey old = (RSAPublicKey) KeyFactory.getInstance("RSA")
                        .generatePublic(new X509EncodedKeySpec(pem(read(previous.get()), "PUBLIC KEY")));
                RsaJsonWebKey oldJwk = publicJwk(old);
                if (!oldJwk.getKeyId().equals(kid)) {
                    keys.add(oldJwk);
                }
            }
            this.jwksJson = new JsonWebKeySet(keys).toJson(JsonWebKey.OutputControlLevel.PUBLIC_ONLY);
            this.publicKeys = keys.stream().map(k -> (PublicJsonWebKey) k).toList();
        } catch (GeneralSecurityException | JoseException | ClassCastException e) {
            throw new IllegalStateException("AUTH_SIGNING_KEY must be a PKCS#8 PEM RSA private key (and "
                    + "AUTH_PREVIOUS_PUBLIC_KEY a PEM RSA public key)", e);
        }
    }

    private static RsaJsonWebKey publicJwk(RSAPublicKey key) throws JoseException {
        RsaJsonWebKey jwk = new RsaJsonWebKey(key);
        jwk.setKeyId(jwk.calculateBase64urlEncodedThumbprint("SHA-256"));
        jwk.setUse("sig");
        jwk.setAlgorithm("RS256");
        return jwk;
    }

    public PrivateKey privateKey() {
        return privateKey;
    }

    public String kid() {
        return kid;
    }

    /** The published keys, current first, exactly those of {@link #jwksJson()}. */
    public List<PublicJsonWebKey> publicKeys() {
        return publicKeys;
    }

    /** The JWK Set document, public parts only. */
    public String jwksJson() {
        return jwksJson;
    }

    /** Inline PEM text, a file path, or else a class-path resource (the test keys). */
    private static String read(String location) {
        if (location.strip().startsWith("-----BEGIN")) {
            return location;
        }
        try {
            Path path = Path.of(location);
            if (Files.isRegularFile(path)) {
                return Files.readString(path, StandardCharsets.US_ASCII);
            }
            try (InputStream in = Thread.currentThread().getContextClassLoader()
                    .getResourceAsStream(location.startsWith("/") ? location.substring(1) : location)) {
                if (in == null) {
                    throw new IllegalStateException("Key file not found: " + location);
                }
                return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
            }
        } catch (IOException e) {
            throw new IllegalStateException("Key file not readable: " + location, e);
        }
    }

    private static byte[] pem(String text, String type) {
        String begin = "-----BEGIN " + type + "-----";
        String end = "-----END " + type + "-----";
        int from = text.indexOf(begin);
        int to = text.indexOf(end);
        if (from < 0 || to < from) {
            throw new IllegalStateException("Expected a PEM block '" + type + "'");
        }
        return Base64.getMimeDecoder().decode(text.substring(from + begin.length(), to));
    }
}
