package io.chatplatform.common.token;

import io.smallrye.jwt.auth.principal.DefaultJWTCallerPrincipal;
import org.eclipse.microprofile.jwt.Claims;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.NumericDate;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

/** The principal every service builds from a verified token reads standard and custom claims as smallrye's does. */
class AccessTokenPrincipalTest {

    private static JwtClaims claims(String sid) {
        JwtClaims claims = new JwtClaims();
        claims.setSubject("7f0c4ad2-94f4-4f43-9d59-0d6c1f6ac0a1");
        claims.setIssuer("chat-platform");
        claims.setIssuedAt(NumericDate.fromSeconds(1_700_000_000L));
        claims.setExpirationTime(NumericDate.fromSeconds(1_700_000_900L));
        claims.setStringListClaim("groups", List.of("user"));
        if (sid != null) {
            claims.setClaim("sid", sid);
        }
        return claims;
    }

    @Test
    void standardClaimsKeepTheirTypes() {
        AccessTokenPrincipal p = new AccessTokenPrincipal("at+jwt", claims("fam-1"));
        assertEquals(Claims.sub, p.getClaimType("sub"));
        assertEquals(Claims.exp, p.getClaimType("exp"));
        assertEquals("7f0c4ad2-94f4-4f43-9d59-0d6c1f6ac0a1", p.getSubject());
        assertEquals(1_700_000_900L, p.getExpirationTime());
        assertEquals(1_700_000_000L, p.getIssuedAtTime());
        assertEquals(Set.of("user"), p.getGroups());
    }

    @Test
    void aCustomClaimReadsAsWithSmallryesPrincipal() {
        AccessTokenPrincipal p = new AccessTokenPrincipal("at+jwt", claims("fam-1"));
        assertEquals(Claims.UNKNOWN, p.getClaimType("sid"));
        Object smallrye = new DefaultJWTCallerPrincipal("at+jwt", claims("fam-1")).getClaim("sid");
        assertNotNull(smallrye);
        assertEquals(smallrye, p.getClaim("sid"));
        assertEquals("fam-1", RevokedTokens.sid(p));
        assertNull(RevokedTokens.sid(new AccessTokenPrincipal("at+jwt", claims(null))));
    }
}
