package io.chatplatform.common.token;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.jwt.auth.principal.DefaultJWTTokenParser;
import io.smallrye.jwt.auth.principal.JWTAuthContextInfo;
import io.smallrye.jwt.auth.principal.JWTCallerPrincipal;
import io.smallrye.jwt.auth.principal.JWTCallerPrincipalFactory;
import io.smallrye.jwt.auth.principal.ParseException;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Alternative;
import org.jose4j.jwt.consumer.JwtContext;
import org.jose4j.keys.resolvers.VerificationKeyResolver;

import java.util.Base64;
import java.util.Set;

/**
 * Every service's access-token check, answered from memory so it never blocks an event loop.
 * <ol>
 * <li>A token verified before (by SHA-256, until its {@code exp}) costs one hash: {@link VerifiedTokens}.</li>
 * <li>smallrye-jwt (4.6) has no setting to require a JOSE {@code typ}: only {@code typ: at+jwt} (RFC 9068) passes,
 * and tokens naming their own key source ({@code jku}, {@code jwk}, {@code x5u}, {@code x5c}) are refused
 * outright. The header is covered by the signature, so reading it first is safe.</li>
 * <li>smallrye's own parser then checks signature, pinned algorithm, issuer, audience, times with the skew and
 * the required claims, with one change: the key comes from {@link VerificationKeys} (held in memory, fetched in
 * the background) instead of smallrye's resolver, which fetched the JWKS on the request's thread.</li>
 * <li>{@link TokenRevocation} is asked on every acceptance, cached or not.</li>
 * </ol>
 */
@Alternative
@Priority(1)
@ApplicationScoped
public class AccessTokenPrincipalFactory extends JWTCallerPrincipalFactory {

    static final String REQUIRED_TYPE = "at+jwt";
    private static final Set<String> FORBIDDEN_HEADERS = Set.of("jku", "jwk", "x5u", "x5c");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final VerificationKeys keys;
    private final VerifiedTokens verified;
    private final TokenRevocation revocation;
    private final DefaultJWTTokenParser parser;

    public AccessTokenPrincipalFactory(VerificationKeys keys, VerifiedTokens verified, TokenRevocation revocation) {
        this.keys = keys;
        this.verified = verified;
        this.revocation = revocation;
        HeldKeyResolver resolver = new HeldKeyResolver(keys);
        this.parser = new DefaultJWTTokenParser() {
            // the one resolver smallrye would otherwise build from the key location (and fetch with)
            @Override
            protected VerificationKeyResolver getVerificationKeyResolver(JWTAuthContextInfo info) {
                return resolver;
            }
        };
    }

    /** Loads or starts fetching the keys before the first request (start-up runs off the event loop). */
    void start(@Observes StartupEvent event) {
        keys.start();
    }

    @Override
    public JWTCallerPrincipal parse(String token, JWTAuthContextInfo authContextInfo) throws ParseException {
        if (token == null) {
            throw new ParseException("No token");
        }
        String hash = VerifiedTokens.hash(token);
        JWTCallerPrincipal principal = verified.get(hash);
        if (principal == null) {
            principal = verify(token, authContextInfo);
            verified.put(hash, principal);
        }
        if (revocation.isRevoked(principal)) {
            throw new ParseException("Token revoked");
        }
        return principal;
    }

    private JWTCallerPrincipal verify(String token, JWTAuthContextInfo authContextInfo) throws ParseException {
        checkHeader(token);
        JwtContext context = parser.parse(token, authContextInfo);
        String type = context.getJoseObjects().get(0).getHeader("typ");
        return new AccessTokenPrincipal(type, context.getJwtClaims());
    }

    static void checkHeader(String token) throws ParseException {
        int dot = token == null ? -1 : token.indexOf('.');
        if (dot <= 0) {
            throw new ParseException("Not a compact JWS");
        }
        JsonNode header;
        try {
            header = JSON.readTree(Base64.getUrlDecoder().decode(token.substring(0, dot)));
        } catch (Exception e) {
            throw new ParseException("Unreadable JOSE header");
        }
        if (header == null || !header.isObject()) {
            throw new ParseException("Unreadable JOSE header");
        }
        JsonNode typ = header.get("typ");
        // RFC 9068 section 4: compare case-insensitively, "application/" prefix optional
        String type = typ != null && typ.isTextual() ? typ.asText().toLowerCase() : "";
        if (type.startsWith("application/")) {
            type = type.substring("application/".length());
        }
        if (!REQUIRED_TYPE.equals(type)) {
            throw new ParseException("Token type is not " + REQUIRED_TYPE);
        }
        for (String name : FORBIDDEN_HEADERS) {
            if (header.has(name)) {
                throw new ParseException("Token header '" + name + "' is not accepted");
            }
        }
    }
}
