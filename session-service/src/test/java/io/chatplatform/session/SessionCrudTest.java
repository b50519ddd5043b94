package io.chatplatform.session;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import org.junit.jupiter.api.Test;

import javax.sql.DataSource;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.chatplatform.session.Api.append;
import static io.chatplatform.session.Api.createSession;
import static io.chatplatform.session.Api.exchange;
import static io.chatplatform.session.Tokens.as;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;

@QuarkusTest
class SessionCrudTest {

    @Inject
    DataSource db;

    @Test
    void createGetRenameDelete() {
        UUID me = UUID.randomUUID();
        Response created = as(me).body(Map.of("title", "  Trip planning  ")).post("/api/sessions");
        created.then().statusCode(201)
                .header("Location", containsString("/api/sessions/"))
                .body("title", equalTo("Trip planning"))
                .body("message_count", equalTo(0))
                .body("created_at", notNullValue())
                .body("last_message_at", nullValue());
        String id = created.path("id");
        created.then().header("Location", endsWith(id));

        as(me).get("/api/sessions/" + id).then().statusCode(200)
                .body("id", equalTo(id)).body("title", equalTo("Trip planning"));

        as(me).body(Map.of("title", "Trip to Lisbon")).patch("/api/sessions/" + id).then().statusCode(200)
                .body("title", equalTo("Trip to Lisbon"));
        as(me).get("/api/sessions/" + id).then().body("title", equalTo("Trip to Lisbon"));

        exchange(me, id, "hello", "hi");
        as(me).delete("/api/sessions/" + id).then().statusCode(204);
        as(me).get("/api/sessions/" + id).then().statusCode(404)
                .contentType("application/problem+json").body("status", equalTo(404));
        as(me).get("/api/sessions/" + id + "/messages").then().statusCode(404);
        as(me).delete("/api/sessions/" + id).then().statusCode(404);
        assertEquals(0, count("SELECT count(*) FROM messages WHERE session_id = ?::uuid", id), "messages cascade");
    }

    @Test
    void createWithoutBodyOrTitleIsUntitled() {
        UUID me = UUID.randomUUID();
        as(me).post("/api/sessions").then().statusCode(201).body("title", nullValue());
        as(me).body("{}").post("/api/sessions").then().statusCode(201).body("title", nullValue());
    }

    @Test
    void listPagesThroughEverySessionOnceNewestActivityFirst() {
        UUID me = UUID.randomUUID();
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 23; i++) {
            ids.add(createSession(me, "s" + i));
        }
        // activity moves an old session to the front
        append(me, ids.get(0), "user", "bump");
        List<String> expected = new ArrayList<>(ids.subList(1, ids.size()).reversed());
        expected.addFirst(ids.get(0));

        List<String> seen = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            var req = as(me).queryParam("limit", 5);
            if (cursor != null) {
                req.queryParam("cursor", cursor);
            }
            Response page = req.get("/api/sessions");
            page.then().statusCode(200);
            List<String> got = page.path("items.id");
            seen.addAll(got);
            cursor = page.path("next_cursor");
            pages++;
        } while (cursor != null && pages < 20);

        assertEquals(5, pages);
        assertEquals(23, new HashSet<>(seen).size(), "no repeats");
        assertEquals(expected, seen, "no gaps, newest activity first");
    }

    /**
     * The cursor is a position in the order, not an offset: a session created after the first page
     * (it goes to the front) and one deleted after the second (already served) move every later row by
     * one under OFFSET paging, which would repeat or skip a session. The walk must do neither.
     */
    @Test
    void cursorWalkHasNoRepeatOrGapWhenSessionsComeAndGoBetweenPages() {
        UUID me = UUID.randomUUID();
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            ids.add(createSession(me, "w" + i));
        }
        List<String> expected = ids.reversed();

        Response first = as(me).queryParam("limit", 4).get("/api/sessions");
        List<String> seen = new ArrayList<>(first.<List<String>>path("items.id"));
        String newer = createSession(me, "created between pages");

        Response second = as(me).queryParam("limit", 4).queryParam("cursor", first.<String>path("next_cursor"))
                .get("/api/sessions");
        seen.addAll(second.path("items.id"));
        as(me).delete("/api/sessions/" + seen.getFirst()).then().statusCode(204);

        Response third = as(me).queryParam("limit", 4).queryParam("cursor", second.<String>path("next_cursor"))
                .get("/api/sessions");
        seen.addAll(third.path("items.id"));
        assertEquals(null, third.<String>path("next_cursor"));

        assertEquals(expected, seen, "every session of the first walk once, in order");
        List<String> front = as(me).queryParam("limit", 1).get("/api/sessions").path("items.id");
        assertEquals(List.of(newer), front, "the new one is at the front, for the next walk");
    }

    @Test
    void requiresAValidAccessToken() {
        UUID me = UUID.randomUUID();
        given().get("/api/sessions").then().statusCode(401).contentType("application/problem+json")
                .header("WWW-Authenticate", "Bearer").body("status", equalTo(401));
        given().auth().oauth2("not-a-jwt").get("/api/sessions").then().statusCode(401)
                .contentType("application/problem+json");
        given().get("/api/search?q=x").then().statusCode(401);
        given().get("/api/sessions/" + UUID.randomUUID() + "/messages").then().statusCode(401);
        // RFC 9068 also allows the full media type as typ
        given().auth().oauth2(io.smallrye.jwt.build.Jwt.issuer("chat-platform").audience("chat-platform")
                .subject(me.toString()).groups("user").jws().header("typ", "application/at+jwt").sign())
                .get("/api/sessions").then().statusCode(200);
        // a valid access token without the user group
        given().auth().oauth2(io.smallrye.jwt.build.Jwt.issuer("chat-platform").audience("chat-platform")
                .subject(me.toString()).groups("auditor").jws().header("typ", "at+jwt").sign())
                .get("/api/sessions").then().statusCode(403).contentType("application/problem+json");
        // wrong issuer / audience / expired, each signed with the right key
        given().auth().oauth2(io.smallrye.jwt.build.Jwt.issuer("someone-else").audience("chat-platform")
                .subject(me.toString()).groups("user").jws().header("typ", "at+jwt").sign())
                .get("/api/sessions").then().statusCode(401);
        given().auth().oauth2(io.smallrye.jwt.build.Jwt.issuer("chat-platform").audience("other-audience")
                .subject(me.toString()).groups("user").jws().header("typ", "at+jwt").sign())
                .get("/api/sessions").then().statusCode(401);
        given().auth().oauth2(io.smallrye.jwt.build.Jwt.issuer("chat-platform").audience("chat-platform")
                .subject(me.toString()).groups("user").issuedAt(java.time.Instant.now().minusSeconds(3600))
                .expiresAt(java.time.Instant.now().minusSeconds(120)).jws().header("typ", "at+jwt").sign())
                .get("/api/sessions").then().statusCode(401);
        // signed by the right key but not an access token (typ must be at+jwt)
        given().auth().oauth2(Tokens.nonAccessToken(me)).get("/api/sessions").then().statusCode(401)
                .contentType("application/problem+json");
        given().auth().oauth2(Tokens.nonAccessToken(me)).contentType("application/json").body("{}")
                .post("/api/sessions").then().statusCode(401);
        assertEquals(0, count("SELECT count(*) FROM sessions WHERE user_id = ?::uuid", me.toString()));
    }

    private long count(String sql, String arg) {
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, arg);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
