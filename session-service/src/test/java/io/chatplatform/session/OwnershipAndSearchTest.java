package io.chatplatform.session;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.chatplatform.session.Api.append;
import static io.chatplatform.session.Api.createSession;
import static io.chatplatform.session.Api.exchange;
import static io.chatplatform.session.Tokens.as;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.hasSize;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

@QuarkusTest
class OwnershipAndSearchTest {

    @Test
    void anotherUsersSessionIsNotFoundOnEveryRoute() {
        UUID owner = UUID.randomUUID();
        UUID other = UUID.randomUUID();
        String sid = createSession(owner, "private plans");
        append(owner, sid, "user", "my secret zanzibar itinerary");
        String path = "/api/sessions/" + sid;

        as(other).get(path).then().statusCode(404).contentType("application/problem+json");
        as(other).body(Map.of("title", "hijacked")).patch(path).then().statusCode(404);
        as(other).delete(path).then().statusCode(404);
        as(other).get(path + "/messages").then().statusCode(404);
        as(other).body(Map.of("role", "user", "content", "intrusion")).post(path + "/messages").then().statusCode(404);
        as(other).queryParam("format", "md").get(path + "/export").then().statusCode(404);
        as(other).queryParam("format", "json").get(path + "/export").then().statusCode(404);
        as(other).get("/api/sessions").then().statusCode(200).body("items", empty());
        as(other).queryParam("q", "zanzibar").get("/api/search").then().statusCode(200).body("items", empty());
        // same answer as for a session that does not exist at all
        String missing = as(other).get("/api/sessions/" + UUID.randomUUID()).then().statusCode(404)
                .extract().path("detail");
        assertEquals(missing, as(other).get(path).then().extract().path("detail"));

        // nothing changed for the owner
        as(owner).get(path).then().statusCode(200).body("title", equalTo("private plans")).body("message_count", equalTo(1));
        as(owner).get(path + "/messages").then().body("items.content", contains("my secret zanzibar itinerary"));
        as(owner).queryParam("q", "zanzibar").get("/api/search").then().body("items", hasSize(1));
    }

    @Test
    void searchRanksTheCallersMatchesWithHighlightedSnippets() {
        UUID me = UUID.randomUUID();
        UUID someoneElse = UUID.randomUUID();
        String travel = createSession(me, "Travel");
        String cooking = createSession(me, "Cooking");
        exchange(me, travel, "Which volcano should we hike on the island? A volcano hike at sunrise, the volcano crater!",
                "Unrelated <b>bold</b> & text about ferries");
        exchange(me, cooking, "Recipe idea: a chocolate cake shaped like a volcano",
                "Bake the sponge at 180 degrees for 35 minutes.");
        String theirs = createSession(someoneElse, "Theirs");
        append(someoneElse, theirs, "user", "volcano volcano volcano volcano everywhere");

        Response r = as(me).queryParam("q", "volcano").get("/api/search");
        r.then().statusCode(200)
                .body("query", equalTo("volcano"))
                .body("items", hasSize(2))
                .body("items.session_id", everyItem(org.hamcrest.Matchers.in(List.of(travel, cooking))));
        // three mentions outrank one
        r.then().body("items[0].session_id", equalTo(travel))
                .body("items[0].session_title", equalTo("Travel"))
                .body("items[0].seq", equalTo(1))
                .body("items[0].role", equalTo("user"))
                .body("items[1].session_id", equalTo(cooking));
        double first = r.<Number>path("items[0].rank").doubleValue();
        double second = r.<Number>path("items[1].rank").doubleValue();
        assertTrue(first > second, first + " > " + second);
        String snippet = r.path("items[0].snippet");
        assertTrue(snippet.contains("<mark>volcano</mark>"), snippet);

        // web-style syntax (phrases, negation), stemming
        as(me).queryParam("q", "volcano -chocolate").get("/api/search").then()
                .body("items.session_id", contains(travel));
        as(me).queryParam("q", "\"chocolate cake\"").get("/api/search").then()
                .body("items.session_id", contains(cooking));
        as(me).queryParam("q", "baking").get("/api/search").then()
                .body("items.seq", contains(2)).body("items[0].snippet", org.hamcrest.Matchers.containsString("<mark>Bake</mark>"));

        // message text is escaped in the snippet; only our marks are markup
        String escaped = as(me).queryParam("q", "ferries").get("/api/search").then().body("items", hasSize(1))
                .extract().path("items[0].snippet");
        assertFalse(escaped.contains("<b>"), escaped);
        assertTrue(escaped.contains("&amp;") && escaped.contains("<mark>ferries</mark>"), escaped);

        // limit
        as(me).queryParam("q", "volcano").queryParam("limit", 1).get("/api/search").then()
                .body("items", hasSize(1)).body("items[0].session_id", equalTo(travel));
        // the other user's volcano messages never show up for me, mine never for them
        as(someoneElse).queryParam("q", "volcano").get("/api/search").then()
                .body("items.session_id", contains(theirs));
    }
}
