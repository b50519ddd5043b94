package io.chatplatform.session;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.util.UUID;

import static io.chatplatform.session.Api.append;
import static io.chatplatform.session.Api.createSession;
import static io.chatplatform.session.Tokens.as;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.matchesPattern;

/** Runs in an application of its own (a profile of its own), so the first test sees a fresh one. */
@QuarkusTest
@TestProfile(OpsTest.FreshApp.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class OpsTest {

    public static class FreshApp implements QuarkusTestProfile {
    }

    @Test
    @Order(1)
    void serviceMetricsExistFromStartUp() {
        // nothing appended or searched in this application yet
        given().get("/q/metrics").then().statusCode(200)
                .body(matchesPattern("(?s).*\\nsessions_messages_appended_total(\\{[^}]*})? 0\\.0\\n.*"))
                .body(matchesPattern("(?s).*\\nsessions_search_seconds_count(\\{[^}]*})? 0\\.0\\n.*"));
    }

    @Test
    void healthChecksDatabaseAndRedis() {
        given().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));
        given().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"))
                .body("checks.name", hasItems(containsString("Database"), containsString("Redis")));
    }

    @Test
    void metricsAreExported() {
        UUID me = UUID.randomUUID();
        String sid = createSession(me, "m");
        append(me, sid, "user", "metrics please");
        as(me).queryParam("q", "metrics").get("/api/search").then().statusCode(200);
        given().get("/q/metrics").then().statusCode(200)
                .body(containsString("sessions_messages_appended_total"))
                .body(containsString("sessions_search_seconds_bucket"))
                .body(containsString("sessions_search_seconds_count"))
                .body(containsString("agroal_"));
    }

    @Test
    void openApiDescribesTheRoutes() {
        given().get("/q/openapi").then().statusCode(200)
                .body(containsString("/api/sessions/{id}/messages"))
                .body(containsString("/api/search"));
    }
}
