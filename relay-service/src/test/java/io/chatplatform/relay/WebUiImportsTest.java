package io.chatplatform.relay;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

/**
 * Every file the page loads resolves: its scripts and stylesheets, and every import of every module, followed
 * from {@code /} through the UI's modules into the libraries. A library bumped in the pom whose files moved, or a
 * path typed wrong, fails here instead of as a blank page. The UI's own files name no library version: the pom
 * is the one place for it (README, "Web UI").
 */
@QuarkusTest
@QuarkusTestResource(FakeNeighbours.class)
class WebUiImportsTest {

    /** {@code <script src>} and {@code <link href>} of the page, with the tag to tell modules from the rest. */
    private static final Pattern PAGE_REF = Pattern.compile("<(script|link)\\b([^>]*?)\\b(?:src|href)=\"([^\"]+)\"");
    /**
     * A statement at the start of a line, {@code import x from '...'}, {@code export * from '...'} or
     * {@code import '...'}, or {@code import('...')} anywhere (a word "import" inside a string is neither).
     */
    private static final Pattern MODULE_REF = Pattern.compile("(?m)(?:^\\s*(?:import|(?:import|export)\\b[^'\";]*?\\bfrom)"
            + "|\\bimport\\()\\s*['\"]([^'\"\\n]+)['\"]");
    /** A path into a library that names its version: {@code /_static/marked/1.2.3/...}. */
    private static final Pattern VERSIONED = Pattern.compile("/_static/[^/]+/\\d+\\.\\d+[^/]*/");

    @Test
    void everyFileAndImportOfThePageResolves() {
        Set<String> modules = new LinkedHashSet<>();
        Set<String> others = new LinkedHashSet<>();
        String page = get("/", "text/html").asString();
        Matcher m = PAGE_REF.matcher(page);
        while (m.find()) {
            String path = URI.create("/").resolve(m.group(3)).toString();
            if (path.startsWith("data:")) {
                continue; // the favicon placeholder
            }
            (m.group(1).equals("script") && m.group(2).contains("type=\"module\"") ? modules : others).add(path);
        }
        assertNoVersion("/", page);
        for (String path : others) {
            String body = get(path, path.endsWith(".css") ? "text/css" : "javascript").asString();
            if (!path.startsWith("/_static/")) {
                assertNoVersion(path, body);
            }
        }
        Set<String> seen = followImports(modules);
        assertTrue(seen.contains("/js/app.js") && seen.contains("/js/render.js"), "the crawl reached the modules: " + seen);
        assertTrue(seen.contains("/_static/marked/lib/marked.esm.js"), "and the libraries: " + seen);
        assertTrue(others.contains("/_static/highlight.js/lib/core.js"), "and the classic scripts: " + others);
    }

    /** Fetches every module once, breadth first, and checks each import it makes; returns the modules seen. */
    private static Set<String> followImports(Set<String> roots) {
        Set<String> seen = new LinkedHashSet<>(roots);
        Deque<String> queue = new ArrayDeque<>(roots);
        while (!queue.isEmpty()) {
            String path = queue.poll();
            // a module must come as JavaScript: the browser refuses any other type
            String source = get(path, "javascript").asString();
            if (!path.startsWith("/_static/")) {
                assertNoVersion(path, source);
            }
            Matcher m = MODULE_REF.matcher(source);
            while (m.find()) {
                String spec = m.group(1);
                // there is no import map (CSP forbids inline scripts), so a bare specifier cannot resolve
                assertTrue(spec.startsWith("/") || spec.startsWith("./") || spec.startsWith("../"),
                        path + " imports '" + spec + "', which no browser can resolve without an import map");
                String target = URI.create(path).resolve(spec).toString();
                if (seen.add(target)) {
                    queue.add(target);
                }
            }
        }
        return seen;
    }

    private static Response get(String path, String contentType) {
        Response r = given().get(path);
        assertEquals(200, r.statusCode(), path + " is served");
        assertTrue(r.contentType().contains(contentType), path + " comes as " + contentType + ", not " + r.contentType());
        assertFalse(r.asString().isBlank(), path + " is not empty");
        return r;
    }

    private static void assertNoVersion(String path, String text) {
        Matcher v = VERSIONED.matcher(text);
        assertFalse(v.find(), () -> path + " names a library version (" + v.group()
                + "): name it without, the relay serves the pom's");
    }
}
