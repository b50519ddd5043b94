package io.chatplatform.e2e;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.NoAlertPresentException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One person's journey in real headless Chromium through the local stack's nginx ingress: sign in with
 * the mailed link, chat with a streamed answer, reload, rename, survive a relay crash mid-answer,
 * see HTML in a message stay inert, delete. Screenshots land in target/screenshots.
 */
// last: it kills one relay replica, which the other classes expect up
@Order(3)
@ExtendWith(LocalStack.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class BrowserJourneyTest {

    private static final Pattern SESSION_IN_HASH = Pattern.compile("#/s/([0-9a-f-]{36})");
    private static ChromeDriver driver;
    private static WebDriverWait wait;
    private static final String EMAIL = "e2e-" + UUID.randomUUID().toString().substring(0, 8) + "@example.com";
    private static String answerBeforeReload;

    @BeforeAll
    static void browser() throws Exception {
        driver = Browser.start();
        wait = new WebDriverWait(driver, Duration.ofSeconds(30));
    }

    @AfterAll
    static void close() {
        if (driver != null) {
            driver.quit();
        }
    }

    @Test
    @Order(1)
    void signsInWithTheMailedLink() throws Exception {
        driver.get(LocalStack.baseUrl() + "/");
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("login-view")));
        Browser.screenshot(driver, "01-login");
        int mailsBefore = LocalStack.loginMails().size();
        driver.findElement(By.id("email")).sendKeys(EMAIL);
        driver.findElement(By.cssSelector("#email-form button[type=submit]")).click();
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("code-form")));

        String link = null;
        for (int i = 0; i < 60 && link == null; i++) {
            List<String[]> mails = LocalStack.loginMails();
            if (mails.size() > mailsBefore) {
                link = mails.get(mails.size() - 1)[0];
            } else {
                Thread.sleep(250);
            }
        }
        assertTrue(link != null && link.startsWith(LocalStack.baseUrl() + "/"), "a sign-in link was mailed: " + link);

        driver.get(link); // the same browser that asked: no confirmation needed
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("app-view")));
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("who"), EMAIL));
        assertFalse(driver.getCurrentUrl().contains("token="), "the token is removed from the address bar");
        Browser.screenshot(driver, "02-signed-in");
    }

    @Test
    @Order(2)
    void sendsAMessageAndWatchesTheAnswerStream() throws Exception {
        driver.findElement(By.id("new-session")).click();
        wait.until(d -> SESSION_IN_HASH.matcher(d.getCurrentUrl()).find());
        send("Hello from the browser [[stub:tokens=40]][[stub:token-delay=80]]");

        // while it streams: a partial answer is on the page
        WebElement streaming = wait.until(ExpectedConditions.presenceOfElementLocated(
                By.cssSelector("#messages article.msg.assistant.streaming")));
        wait.until(d -> !streaming.findElement(By.className("body")).getText().isBlank());
        String partial = streaming.findElement(By.className("body")).getText();
        Browser.screenshot(driver, "03-streaming");

        String answer = awaitFinishedAnswer();
        assertTrue(answer.contains("offline stand-in"), answer);
        assertTrue(answer.length() > partial.length(), "the answer grew after the first delta");
        assertTrue(normalise(answer).startsWith(normalise(partial).substring(0, Math.min(20, normalise(partial).length()))),
                "the partial text is the start of the answer");
        answerBeforeReload = answer;
        // the first message titled the untitled session, and the open page heard of it (session.updated)
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("session-title"), "Hello from the browser"));
        Browser.screenshot(driver, "04-answer");
    }

    @Test
    @Order(3)
    void reloadShowsTheHistory() throws Exception {
        driver.navigate().refresh();
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("app-view")));
        wait.until(d -> d.findElements(By.cssSelector("#messages article.msg.assistant")).size() == 1);
        List<WebElement> users = driver.findElements(By.cssSelector("#messages article.msg.user"));
        assertEquals(1, users.size());
        assertTrue(users.get(0).getText().contains("Hello from the browser"));
        assertEquals(normalise(answerBeforeReload), normalise(lastAssistantText()), "the stored answer is what streamed");
    }

    @Test
    @Order(4)
    void renamesTheSession() throws Exception {
        driver.findElement(By.id("rename")).click();
        WebElement title = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("dialog-input")));
        title.clear();
        title.sendKeys("Renamed in the browser");
        driver.findElement(By.id("dialog-ok")).click();
        wait.until(ExpectedConditions.textToBe(By.id("session-title"), "Renamed in the browser"));
        driver.navigate().refresh(); // the new title is stored, not just shown
        wait.until(ExpectedConditions.textToBe(By.id("session-title"), "Renamed in the browser"));
        wait.until(d -> d.findElement(By.id("session-list")).getText().contains("Renamed in the browser"));
    }

    @Test
    @Order(5)
    void htmlInAMessageStaysInert() throws Exception {
        String img = "<img src=x onerror=alert(1)>";
        String script = "<script>window.__xss=2</script>";
        // the stand-in echoes the user's text, so the payload also reaches the assistant's rendered Markdown
        send(img + " and " + script);
        String answer = awaitFinishedAnswer();
        JavascriptExecutor js = driver;
        assertEquals(null, js.executeScript("return window.__xss === undefined ? null : window.__xss"));
        assertThrows(NoAlertPresentException.class, () -> driver.switchTo().alert());
        Long live = (Long) js.executeScript("return document.querySelectorAll("
                + "'#messages article.msg [onerror], #messages article.msg img, #messages article.msg script').length");
        assertEquals(0L, live, "no element, handler or script from a message is in the user or assistant bubbles");
        assertTrue(answer.contains(img) && answer.contains(script), "the assistant's answer shows the HTML as text: " + answer);
        List<WebElement> users = driver.findElements(By.cssSelector("#messages article.msg.user"));
        String userText = users.get(users.size() - 1).getText();
        assertTrue(userText.contains(img) && userText.contains(script), "the user's text is shown as text: " + userText);
        Browser.screenshot(driver, "05-html-inert");
    }

    @Test
    @Order(6)
    void reconnectsAndFinishesTheAnswerWhenTheRelayDies() throws Exception {
        send("Tell me a long story [[stub:tokens=70]][[stub:token-delay=100]]");
        WebElement streaming = wait.until(ExpectedConditions.presenceOfElementLocated(
                By.cssSelector("#messages article.msg.assistant.streaming")));
        wait.until(d -> !streaming.findElement(By.className("body")).getText().isBlank());

        // crash the relay replica that holds this browser's WebSocket
        int[] ports = LocalStack.relayPorts();
        String victim = relayConnections(ports[0]) > 0 ? "relay-service" : "relay-service-2";
        assertTrue(relayConnections(ports[0]) + relayConnections(ports[1]) >= 1, "the browser is connected to a relay");
        long pid = LocalStack.pidOf(victim);
        assertEquals(0, new ProcessBuilder("kill", "-KILL", Long.toString(pid)).start().waitFor(), "killed " + victim);
        ProcessHandle.of(pid).ifPresent(p -> p.onExit().join());
        Browser.screenshot(driver, "06-relay-killed");

        String answer = awaitFinishedAnswer(Duration.ofSeconds(60));
        wait.until(ExpectedConditions.attributeToBe(By.id("conn"), "data-state", "online"));
        // the page reconnected with last_event_id and the relay replayed everything after it
        WebElement conn = driver.findElement(By.id("conn"));
        assertEquals("true", conn.getDomAttribute("data-resumed"), "the reconnect resumed");
        assertEquals("true", conn.getDomAttribute("data-recovered"), "every missed event was replayed");
        // the deltas the page received, live and replayed, add up to exactly the completed answer
        List<WebElement> bubbles = driver.findElements(By.cssSelector("#messages article.msg.assistant"));
        assertEquals("complete", bubbles.get(bubbles.size() - 1).getDomAttribute("data-stream"),
                "no delta lost or repeated across the crash");
        Browser.screenshot(driver, "07-resumed");
        // what the page assembled from live and replayed events equals what was stored
        driver.navigate().refresh();
        wait.until(d -> d.findElements(By.cssSelector("#messages article.msg.assistant")).size() == 3);
        assertEquals(normalise(lastAssistantText()), normalise(answer), "no event lost or repeated across the crash");
    }

    @Test
    @Order(7)
    void stopsAnAnswerAndTheComposerIsUsableAgain() throws Exception {
        int answers = driver.findElements(By.cssSelector("#messages article.msg.assistant")).size();
        send("Take your time [[stub:first-token-delay=1500,tokens=200,token-delay=300]]");
        // Stop is offered from the moment the message is sent, before any of the answer has arrived
        WebElement stop = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("stop")));
        stop.click();
        WebElement stopped = wait.until(ExpectedConditions.presenceOfElementLocated(
                By.cssSelector("#messages article.msg.assistant.stopped")));
        assertTrue(stopped.getText().contains("Stopped."), stopped.getText());
        wait.until(d -> d.findElements(By.cssSelector("#messages article.msg.assistant.streaming")).isEmpty());
        wait.until(ExpectedConditions.invisibilityOfElementLocated(By.id("stop")));
        Browser.screenshot(driver, "08-stopped");

        WebElement input = driver.findElement(By.id("composer-input"));
        assertTrue(input.isEnabled() && driver.findElement(By.id("send")).isEnabled(), "the composer is usable");
        send("And now a short one [[stub:tokens=5]]");
        wait.until(d -> d.findElements(By.cssSelector("#messages article.msg.assistant")).size() == answers + 2);
        String next = awaitFinishedAnswer();
        assertFalse(next.isBlank(), "the next message is answered");
        assertEquals(1, driver.findElements(By.cssSelector("#messages article.msg.assistant.stopped")).size(),
                "only the stopped answer is marked stopped");
    }

    @Test
    @Order(8)
    void deletesTheSession() throws Exception {
        Matcher m = SESSION_IN_HASH.matcher(driver.getCurrentUrl());
        assertTrue(m.find());
        String id = m.group(1);
        driver.findElement(By.id("delete")).click();
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("dialog-ok"))).click();
        wait.until(d -> d.findElements(By.cssSelector("#session-list li[data-id='" + id + "']")).isEmpty());
        assertNotEquals("Renamed in the browser", driver.findElement(By.id("session-title")).getText());
        driver.navigate().refresh();
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("app-view")));
        Thread.sleep(1000);
        assertTrue(driver.findElements(By.cssSelector("#session-list li[data-id='" + id + "']")).isEmpty(),
                "the deleted session stays gone after a reload");
    }

    private static void send(String text) {
        // the page sends over its WebSocket: wait until it shows the connection as live
        wait.until(ExpectedConditions.attributeToBe(By.id("conn"), "data-state", "online"));
        WebElement input = wait.until(ExpectedConditions.elementToBeClickable(By.id("composer-input")));
        input.sendKeys(text + Keys.ENTER);
    }

    private static String awaitFinishedAnswer() {
        return awaitFinishedAnswer(Duration.ofSeconds(30));
    }

    private static String awaitFinishedAnswer(Duration timeout) {
        new WebDriverWait(driver, timeout).until(d ->
                d.findElements(By.cssSelector("#messages article.msg.assistant.streaming")).isEmpty()
                        && !d.findElements(By.cssSelector("#messages article.msg.assistant")).isEmpty()
                        && d.findElements(By.id("stop")).stream().noneMatch(WebElement::isDisplayed));
        return lastAssistantText();
    }

    private static String lastAssistantText() {
        List<WebElement> answers = driver.findElements(By.cssSelector("#messages article.msg.assistant .body"));
        return answers.get(answers.size() - 1).getText();
    }

    private static long relayConnections(int port) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + LocalStack.managementPort(port) + "/q/metrics")).build(),
                HttpResponse.BodyHandlers.ofString());
        Matcher m = Pattern.compile("(?m)^relay_connections(\\{[^}]*})? ([0-9.eE+-]+)$").matcher(r.body());
        return m.find() ? (long) Double.parseDouble(m.group(2)) : 0;
    }

    private static String normalise(String s) {
        return s.replaceAll("\\s+", " ").trim();
    }
}
