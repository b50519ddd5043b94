package io.chatplatform.chat.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.chatplatform.common.ProblemException;
import jakarta.enterprise.context.RequestScoped;
import org.eclipse.microprofile.jwt.JsonWebToken;

import java.util.Base64;
import java.util.UUID;

/**
 * The caller, from the verified access token. smallrye-jwt has checked signature, issuer, audience and expiry
 * but has no setting for the JOSE {@code typ}; this adds the RFC 9068 check (only {@code at+jwt} passes) and
 * requires a UUID {@code sub}. Everything a turn does (tools included) acts as this user.
 */
@RequestScoped
public class CurrentUser {

    private final JsonWebToken jwt;
    private final ObjectMapper mapper;
    private String id;

    public CurrentUser(JsonWebToken jwt, ObjectMapper mapper) {
        this.jwt = jwt;
        this.mapper = mapper;
    }

    public String id() {
        if (id == null) {
            String raw = jwt.getRawToken();
            if (raw == null || !"at+jwt".equalsIgnoreCase(headerType(raw))) {
                throw ProblemException.unauthorized("A valid access token is required.");
            }
            try {
                id = UUID.fromString(jwt.getSubject()).toString();
            } catch (RuntimeException e) {
                throw ProblemException.unauthorized("A valid access token is required.");
            }
        }
        return id;
    }

    /** The bearer header forwarded to session-service (token propagation). */
    public String authorization() {
        return "Bearer " + jwt.getRawToken();
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
