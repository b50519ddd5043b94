package io.chatplatform.session;

import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import java.util.UUID;

import static io.chatplatform.session.Api.append;
import static io.chatplatform.session.Api.createSession;
import static io.chatplatform.session.Tokens.as;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;

@QuarkusTest
class OpsTest {

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
