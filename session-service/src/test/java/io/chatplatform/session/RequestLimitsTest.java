package io.chatplatform.session;

import io.quarkus.test.junit.QuarkusTest;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.UUID;

import static io.chatplatform.session.Api.append;
import static io.chatplatform.session.Api.createSession;
import static io.chatplatform.session.Tokens.as;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.notNullValue;

/** One account cannot flood the stores: appends and searches are limited per user, with 429 and Retry-After. */
@QuarkusTest
class RequestLimitsTest {

    @ConfigProperty(name = "sessions.limits.appends-per-minute")
    int appendsPerMinute;
    @ConfigProperty(name = "sessions.limits.searches-per-minute")
    int searchesPerMinute;

    @Test
    void appendsBeyondTheLimitAre429AndStoreNothingWhileOtherUsersAppend() {
        UUID me = UUID.randomUUID();
        String session = createSession(me, "flood");
        for (int i = 0; i < appendsPerMinute; i++) {
            append(me, session, "user", "message " + i);
        }
        as(me).body(Map.of("role", "user", "content", "one too many"))
                .post("/api/sessions/" + session + "/messages")
                .then().statusCode(429)
                .contentType("application/problem+json")
                .header("Retry-After", notNullValue())
                .body("status", equalTo(429));
        as(me).queryParam("limit", 200).get("/api/sessions/" + session + "/messages")
                .then().statusCode(200).body("items", hasSize(appendsPerMinute));

        UUID other = UUID.randomUUID();
        append(other, createSession(other, "calm"), "user", "hello");
    }

    @Test
    void searchesBeyondTheLimitAre429WhileOtherUsersSearch() {
        UUID me = UUID.randomUUID();
        for (int i = 0; i < searchesPerMinute; i++) {
            as(me).queryParam("q", "anything").get("/api/search").then().statusCode(200);
        }
        as(me).queryParam("q", "anything").get("/api/search")
                .then().statusCode(429).header("Retry-After", notNullValue());
        as(UUID.randomUUID()).queryParam("q", "anything").get("/api/search").then().statusCode(200);
    }
}
