package io.chatplatform.common.token;

import io.smallrye.jwt.auth.principal.DefaultJWTCallerPrincipal;
import org.eclipse.microprofile.jwt.Claims;
import org.jose4j.jwt.JwtClaims;

import java.util.Arrays;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * smallrye's principal, except that reading a claim outside the MicroProfile {@link Claims} enum ({@code sid}, read by
 * the revocation check on every request) costs no exception: smallrye finds a claim's type with {@code Claims.valueOf},
 * which throws, stack trace and all, for every custom name.
 */
final class AccessTokenPrincipal extends DefaultJWTCallerPrincipal {

    private static final Map<String, Claims> STANDARD = Arrays.stream(Claims.values())
            .collect(Collectors.toUnmodifiableMap(Claims::name, Function.identity()));

    AccessTokenPrincipal(String tokenType, JwtClaims claims) {
        super(tokenType, claims);
    }

    @Override
    protected Claims getClaimType(String claimName) {
        return STANDARD.getOrDefault(claimName, Claims.UNKNOWN);
    }
}
