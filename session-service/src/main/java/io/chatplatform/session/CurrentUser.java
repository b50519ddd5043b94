package io.chatplatform.session;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.chatplatform.common.ProblemException;
import jakarta.enterprise.context.RequestScoped;
import org.eclipse.microprofile.jwt.JsonWebToken;

import java.util.Base64;
import java.util.UUID;

/**
 * The caller, from the verified access token. smallrye-jwt has already checked signature, issuer,
 * audience and expiry; this adds the RFC 9068 {@code typ} check (so no other token of the platform
 * passes as an access token) and requires a UUID {@code sub}.
 */
@RequestScoped
public class CurrentUser {

    private final JsonWebToken jwt;
    private final ObjectMapper mapper;
    private UUID id;

    public CurrentUser(JsonWebToken jwt, ObjectMapper mapper) {
        this.jwt = jwt;
        this.mapper = mapper;
    }

    public UUID id() {
        if (id == null) {
            String raw = jwt.getRawToken();
            String typ = raw == null ? null : headerType(raw);
            // RFC 9068: "at+jwt", or the full media type "application/at+jwt"
            if (!"at+jwt".equalsIgnoreCase(typ) && !"application/at+jwt".equalsIgnoreCase(typ)) {
                throw ProblemException.unauthorized("A valid access token is required.");
            }
            try {
                id = UUID.fromString(jwt.getSubject());
            } catch (RuntimeException e) {
                throw ProblemException.unauthorized("A valid access token is required.");
            }
        }
        return id;
    }

    private String headerType(String raw) {
        int dot = raw.indexOf('.');
        if (dot <= 0) {
            return null;
        }
        try {
            JsonNode header = mapper.readTree(Base64.getUrlDecoder().decode(raw.substring(0, dot)));
            JsonNode typ = header.get("typ");
            return typ == null ? null : typ.asText();
        } catch (Exception e) {
            return null;
        }
    }
}
