package io.chatplatform.session;

import io.restassured.specification.RequestSpecification;
import io.smallrye.jwt.build.Jwt;

import java.util.UUID;

import static io.restassured.RestAssured.given;

/** Access tokens as auth-service issues them, signed with the test key (src/test/resources). */
final class Tokens {

    private Tokens() {
    }

    static String accessToken(UUID user) {
        return accessToken(user, UUID.randomUUID().toString());
    }

    /** {@code sid}: the refresh family the token came from (a login on one device). */
    static String accessToken(UUID user, String sid) {
        return Jwt.issuer("chat-platform")
                .audience("chat-platform")
                .subject(user.toString())
                .upn(user + "@example.test")
                .groups("user")
                .claim("jti", UUID.randomUUID().toString())
                .claim("sid", sid)
                .expiresIn(900)
                .jws().keyId("test-key").header("typ", "at+jwt")
                .sign();
    }

    /** A correctly signed token that is not an access token (plain JWT typ). */
    static String nonAccessToken(UUID user) {
        return Jwt.issuer("chat-platform").audience("chat-platform").subject(user.toString())
                .groups("user").expiresIn(900).jws().keyId("test-key").header("typ", "JWT").sign();
    }

    static RequestSpecification as(UUID user) {
        return given().auth().oauth2(accessToken(user)).contentType("application/json");
    }
}
