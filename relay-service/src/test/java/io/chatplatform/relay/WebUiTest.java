package io.chatplatform.relay;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.not;

import org.junit.jupiter.api.Test;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

/** The UI's files, the libraries it imports, and the headers that protect the magic link. */
@QuarkusTest
@QuarkusTestResource(FakeNeighbours.class)
class WebUiTest {

    @Test
    void pageHasNoInlineScriptAndStrictHeaders() {
        given().get("/").then().statusCode(200)
                .header("Referrer-Policy", "no-referrer")
                .header("Content-Security-Policy", allOf(containsString("default-src 'self'"),
                        containsString("script-src 'self'"), containsString("object-src 'none'"),
                        not(containsString("unsafe-inline")), not(containsString("unsafe-eval"))))
                .header("X-Content-Type-Options", "nosniff")
                .header("Cache-Control", allOf(containsString("no-cache"), not(containsString("immutable"))))
                .body(containsString("<script type=\"module\" src=\"/js/app.js\"></script>"))
                .body(not(containsString("<script>")), not(containsString("onclick=")), not(containsString("style=")));
    }

    @Test
    void magicLinkLandingPageIsTheAppWithNoReferrer() {
        given().get("/auth/callback").then().statusCode(200)
                .header("Referrer-Policy", "no-referrer")
                .header("Content-Security-Policy", containsString("script-src 'self'"))
                .body(containsString("/js/app.js"));
    }

    @Test
    void modulesAndLibrariesAreServed() {
        for (String path : new String[] { "/js/app.js", "/js/auth.js", "/js/api.js", "/js/socket.js", "/js/render.js",
                "/css/app.css" }) {
            given().get(path).then().statusCode(200).header("Referrer-Policy", "no-referrer");
        }
        // named without a version (the pom's jar is served): the same URL changes with a bump, so it is revalidated
        given().get("/_static/marked/lib/marked.esm.js").then().statusCode(200)
                .header("Cache-Control", containsString("no-cache"))
                .body(containsString("Marked"));
        given().get("/_static/dompurify/dist/purify.es.mjs").then().statusCode(200)
                .body(containsString("sanitize"));
        given().get("/js/render.js").then()
                .body(containsString("/_static/marked/lib/marked.esm.js"))
                .body(containsString("/_static/dompurify/dist/purify.es.mjs"));
    }

    @Test
    void highlightJsAndTheCopyButtonsAreServedWithoutInlineCode() {
        for (String path : new String[] { "/js/copy.js", "/js/cjs-shim.js", "/js/conversation.js", "/js/messages.js",
                "/js/dom.js", "/js/login.js", "/js/sidebar.js" }) {
            given().get(path).then().statusCode(200);
        }
        given().get("/_static/highlight.js/lib/core.js").then().statusCode(200)
                .body(containsString("highlightElement"));
        given().get("/_static/highlight.js/es/languages/python.js").then().statusCode(200)
                .body(containsString("export"));
        given().get("/_static/highlight.js/styles/github-dark.min.css").then().statusCode(200);
        // classic scripts from 'self' before the module (highlight.js' core is CommonJS), no inline script or style
        given().get("/").then().statusCode(200)
                .body(containsString("<script src=\"/js/cjs-shim.js\"></script>"))
                .body(containsString("<script src=\"/_static/highlight.js/lib/core.js\"></script>"))
                .body(containsString("/_static/highlight.js/styles/github-dark.min.css"))
                .body(not(containsString("<script>")), not(containsString("style=")));
    }

    @Test
    void theTokenTravelsAsASubprotocolNeverInTheUrl() {
        given().get("/js/socket.js").then().statusCode(200)
                .body(containsString("quarkus-http-upgrade#Authorization#Bearer"))
                .body(not(containsString("?token=")), not(containsString("access_token=")));
    }
}
