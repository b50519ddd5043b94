package io.chatplatform.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Versions of messages in real headless Chromium through the ingress: Regenerate gives an answer a second version and
 * the "< n/m >" switcher moves between them (and the branch shown survives a reload); Edit and resend gives a branch
 * whose model input leaves the old one out (what the stand-in received, from its request log).
 */
@Order(2)
@ExtendWith(LocalStack.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class VersionsUiTest {

    private static final String EMAIL = "e2e-versions-" + UUID.randomUUID().toString().substring(0, 8) + "@example.com";
    private static final String STUB = "http://127.0.0.1:" + LocalStack.PORTS.get("llm-stub");
    private static final By ANSWER = By.cssSelector("#messages article.msg.assistant");
    private static final By USER = By.cssSelector("#messages article.msg.user");
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static ChromeDriver driver;
    private static WebDriverWait wait;

    @BeforeAll
    static void browser() throws Exception {
        driver = Browser.start();
        // the history reload after a branch turn rebuilds the list: an element found a moment ago may be gone
        wait = new WebDriverWait(driver, Duration.ofSeconds(60));
        wait.ignoring(org.openqa.selenium.StaleElementReferenceException.class);
        signIn();
    }

    @AfterAll
    static void close() {
        if (driver != null) {
            driver.quit();
        }
    }

    @AfterEach
    void defaultAnswers() throws Exception {
        stub("DELETE", "/admin/config", null);
    }

    @Test
    @Order(1)
    void aRegenerateGivesASecondVersionAndTheSwitcherMovesBetweenThem() throws Exception {
        newSession();
        // the stand-in is deterministic: a shorter first answer, so the second version reads differently
        stub("PUT", "/admin/config", "{\"answer_tokens\":6}");
        send("Answer me twice " + marker());
        String first = finishedText(ANSWER, 1);
        assertTrue(driver.findElements(By.cssSelector("#messages .versions:not([hidden])")).isEmpty(), "one version: no switcher");

        stub("PUT", "/admin/config", "{\"answer_tokens\":14}");
        last(ANSWER).findElement(By.cssSelector("button.regenerate")).click();
        awaitLabel(ANSWER, "2/2");
        String second = finishedText(ANSWER, 1);
        assertNotEquals(first, second, "the regenerated answer is another text");
        assertEquals(1, driver.findElements(ANSWER).size(), "the old answer left the branch shown");
        Browser.screenshot(driver, "switcher");

        previous(ANSWER).click();
        awaitLabel(ANSWER, "1/2");
        assertEquals(first, finishedText(ANSWER, 1), "version 1 is the first answer again");
        assertTrue(last(ANSWER).findElement(By.cssSelector("button.version-prev")).getDomProperty("disabled").equals("true"));
        next(ANSWER).click();
        awaitLabel(ANSWER, "2/2");
        assertEquals(second, finishedText(ANSWER, 1));

        // the branch shown is session-service's: a reload shows the same version
        previous(ANSWER).click();
        awaitLabel(ANSWER, "1/2");
        driver.navigate().refresh();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("who"), EMAIL));
        awaitLabel(ANSWER, "1/2");
        assertEquals(first, finishedText(ANSWER, 1));
    }

    @Test
    @Order(2)
    void anEditAndResendGivesABranchWhoseModelInputLeavesTheOldOneOut() throws Exception {
        newSession();
        String keep = marker();
        String old = marker();
        String fresh = marker();
        send("Keep this " + keep + " [[stub:tokens=5]]");
        finishedText(ANSWER, 1);
        send("Old wording " + old + " [[stub:tokens=5]]");
        finishedText(ANSWER, 2);

        WebElement edited = last(USER);
        edited.findElement(By.cssSelector("button.edit")).click();
        WebElement box = edited.findElement(By.cssSelector("form.editor textarea"));
        box.clear();
        box.sendKeys("New wording " + fresh + " [[stub:tokens=5]]");
        edited.findElement(By.cssSelector("form.editor button.editor-send")).click();
        awaitLabel(USER, "2/2");
        finishedText(ANSWER, 2);

        // what the stand-in was given for the new version: the turn before it, nothing of the old branch
        JsonNode log = StackUser.JSON.readTree(stub("GET", "/admin/requests?contains="
                + URLEncoder.encode(fresh, StandardCharsets.UTF_8), null));
        assertEquals(1, log.path("count").asInt(), log.toString());
        String input = log.path("inputs").get(0).toString();
        assertTrue(input.contains(keep), "the context before the edited message: " + input);
        assertFalse(input.contains(old), "the old version is not in the model input: " + input);
        String page = driver.findElement(By.id("messages")).getText();
        assertFalse(page.contains(old), "the old version is not shown");
        assertEquals(2, driver.findElements(USER).size());
        Browser.screenshot(driver, "switcher-edited");

        // version 1 of the message brings the old branch back, with its answer
        previous(USER).click();
        awaitLabel(USER, "1/2");
        wait.until(d -> d.findElement(By.id("messages")).getText().contains(old));
        assertFalse(driver.findElement(By.id("messages")).getText().contains(fresh));
        assertEquals(2, driver.findElements(ANSWER).size());
    }

    /** Waits for the last message of that kind to show the switcher at {@code label}, with no answer running. */
    private static void awaitLabel(By kind, String label) {
        wait.until(d -> {
            List<WebElement> all = d.findElements(kind);
            if (all.isEmpty() || !d.findElements(By.cssSelector("#messages article.msg.streaming")).isEmpty()) {
                return false;
            }
            List<WebElement> labels = all.get(all.size() - 1).findElements(By.cssSelector(".versions:not([hidden]) .version-label"));
            return !labels.isEmpty() && label.equals(labels.get(0).getText());
        });
    }

    private static WebElement previous(By kind) {
        return last(kind).findElement(By.cssSelector(".versions button[aria-label='Previous version']"));
    }

    private static WebElement next(By kind) {
        return last(kind).findElement(By.cssSelector(".versions button[aria-label='Next version']"));
    }

    private static WebElement last(By kind) {
        List<WebElement> all = driver.findElements(kind);
        return all.get(all.size() - 1);
    }

    /** The text of the last answer once {@code answers} are shown and none runs. */
    private static String finishedText(By kind, int answers) {
        wait.until(d -> d.findElements(ANSWER).size() >= answers
                && d.findElements(By.cssSelector("#messages article.msg.streaming, #messages article.msg.pending")).isEmpty()
                && d.findElements(By.id("stop")).stream().noneMatch(WebElement::isDisplayed));
        return last(kind).findElement(By.className("body")).getText();
    }

    /** The stand-in's admin routes (loopback only): returns the body, fails on an error status. */
    private static String stub(String method, String path, String json) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(STUB + path)).timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json")
                .method(method, json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json));
        HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
        assertTrue(r.statusCode() < 300, method + " " + path + ": " + r.statusCode() + " " + r.body());
        return r.body();
    }

    private static String marker() {
        return "v" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    }

    private static void newSession() {
        String before = driver.getCurrentUrl();
        driver.findElement(By.id("new-session")).click();
        wait.until(d -> !d.getCurrentUrl().equals(before) && d.getCurrentUrl().contains("#/s/"));
        wait.until(ExpectedConditions.attributeToBe(By.id("conn"), "data-state", "online"));
    }

    private static void send(String text) {
        WebElement input = wait.until(ExpectedConditions.elementToBeClickable(By.id("composer-input")));
        driver.executeScript("arguments[0].value = arguments[1]; document.getElementById('composer').requestSubmit();",
                input, text);
    }

    private static void signIn() throws Exception {
        Browser.signIn(driver, wait, EMAIL);
    }
}
