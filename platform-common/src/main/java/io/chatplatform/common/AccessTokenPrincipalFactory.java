package io.chatplatform.common;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.smallrye.jwt.auth.principal.DefaultJWTCallerPrincipalFactory;
import io.smallrye.jwt.auth.principal.JWTAuthContextInfo;
import io.smallrye.jwt.auth.principal.JWTCallerPrincipal;
import io.smallrye.jwt.auth.principal.JWTCallerPrincipalFactory;
import io.smallrye.jwt.auth.principal.ParseException;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Alternative;

import java.util.Base64;
import java.util.Set;

/**
 * smallrye-jwt (4.6 in Quarkus 3.30.8) has no setting to require a JOSE {@code typ}, so this factory
 * checks the header before the default factory verifies signature, algorithm, issuer, audience and
 * times: only {@code typ: at+jwt} (RFC 9068) passes, and tokens naming their own key source
 * ({@code jku}, {@code jwk}, {@code x5u}, {@code x5c}) are refused outright, although smallrye would
 * ignore those headers anyway (keys come only from the configured JWKS). The header is covered by the
 * signature, so reading it first is safe: a changed header fails the verification that follows.
 * Shared by every service through platform-common, so all of them reject the same tokens.
 */
@Alternative
@Priority(1)
@ApplicationScoped
public class AccessTokenPrincipalFactory extends JWTCallerPrincipalFactory {

    static final String REQUIRED_TYPE = "at+jwt";
    private static final Set<String> FORBIDDEN_HEADERS = Set.of("jku", "jwk", "x5u", "x5c");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final DefaultJWTCallerPrincipalFactory delegate = new DefaultJWTCallerPrincipalFactory();

    @Override
    public JWTCallerPrincipal parse(String token, JWTAuthContextInfo authContextInfo) throws ParseException {
        checkHeader(token);
        return delegate.parse(token, authContextInfo);
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
