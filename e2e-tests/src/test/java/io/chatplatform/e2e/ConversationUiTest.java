package io.chatplatform.e2e;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.WindowType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Conversations as people expect them, in real headless Chromium through the ingress: a message sent the instant
 * the box is enabled goes out once the socket is ready; a reload or a second tab mid-answer shows the whole answer
 * (beginning and end, every word once); copy puts an answer on the clipboard; code blocks are highlighted with no
 * inline script or style; an answer that finishes in a session the user left marks it in the list until opened.
 */
@Order(2)
@ExtendWith(LocalStack.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ConversationUiTest {

    private static final String EMAIL = "e2e-ui-" + UUID.randomUUID().toString().substring(0, 8) + "@example.com";
    private static final String BEGINNING = "I am the offline stand-in model";
    private static ChromeDriver driver;
    private static WebDriverWait wait;

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
    void aMessageSentTheInstantTheBoxIsEnabledIsAnswered() throws Exception {
        signIn();
        // armed before the conversation exists: types and sends in the same task that sees the box enabled,
        // long before the WebSocket is open
        driver.executeScript("""
                const box = document.getElementById('composer-input');
                new MutationObserver((_, obs) => {
                  if (box.disabled) return;
                  obs.disconnect();
                  window.__stateWhenSent = document.getElementById('conn').dataset.state;
                  box.value = 'Quick one [[stub:tokens=8]]';
                  document.getElementById('composer').requestSubmit();
                }).observe(box, { attributes: true, attributeFilter: ['disabled'] });
                """);
        driver.findElement(By.id("new-session")).click();
        String answer = awaitFinishedAnswer(1);
        assertTrue(answer.startsWith(BEGINNING), answer);
        assertTrue(!"online".equals(driver.executeScript("return window.__stateWhenSent")),
                "the message was sent before the socket was ready: " + driver.executeScript("return window.__stateWhenSent"));
        assertEquals("", driver.findElement(By.id("chat-error")).getText(), "no error was shown");
        assertEquals(1, driver.findElements(By.cssSelector("#messages article.msg.user")).size(), "sent once");
        assertTrue(driver.findElements(By.cssSelector("#messages article.msg.user.pending, #messages .unsent")).isEmpty());
    }

    @Test
    @Order(2)
    void aReloadMidAnswerShowsTheBeginningAndTheEndWithEveryWordOnce() throws Exception {
        int answers = answers() + 1;
        send("Tell me a long story [[stub:tokens=80,token-delay=100]]");
        awaitStreamingWords(15);
        driver.navigate().refresh();
        checkWholeAnswer(answers);
        Browser.screenshot(driver, "ui-01-reloaded-mid-answer");
    }

    @Test
    @Order(3)
    void aSecondTabOpenedMidAnswerShowsTheSame() throws Exception {
        String url = driver.getCurrentUrl();
        String first = driver.getWindowHandle();
        int answers = answers() + 1;
        send("Another long one [[stub:tokens=80,token-delay=100]]");
        awaitStreamingWords(15);
        driver.switchTo().newWindow(WindowType.TAB);
        driver.get(url);
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("app-view")));
        checkWholeAnswer(answers);
        driver.close();
        driver.switchTo().window(first);
        awaitFinishedAnswer(answers);
    }

    @Test
    @Order(4)
    void copyPutsTheAnswerOnTheClipboard() throws Exception {
        driver.executeCdpCommand("Browser.grantPermissions", Map.of("origin", LocalStack.baseUrl(),
                "permissions", List.of("clipboardReadWrite", "clipboardSanitizedWrite")));
        int answers = answers() + 1;
        send("Copy me [[stub:tokens=12]]");
        String shown = awaitFinishedAnswer(answers);
        List<WebElement> buttons = driver.findElements(By.cssSelector("#messages article.msg.assistant > button.copy"));
        WebElement copy = buttons.get(buttons.size() - 1);
        copy.click();
        wait.until(ExpectedConditions.attributeToBe(copy, "data-copied", "true"));
        Object clip = driver.executeAsyncScript("const done = arguments[arguments.length - 1];"
                + "navigator.clipboard.readText().then(done, e => done('read failed: ' + e))");
        assertEquals(normalise(shown), normalise(String.valueOf(clip)), "the clipboard holds the answer");
    }

    @Test
    @Order(5)
    void aCodeBlockIsHighlightedWithNoInlineScriptOrStyle() throws Exception {
        // the stand-in echoes the message, so its answer holds the fenced block too
        int answers = answers() + 1;
        driver.executeScript("document.getElementById('composer-input').value = arguments[0];"
                + "document.getElementById('composer').requestSubmit();",
                "Here is code:\n```python\ndef answer():\n    return 42  # the answer\n```\nthanks");
        awaitFinishedAnswer(answers);
        List<WebElement> blocks = driver.findElements(By.cssSelector("#messages article.msg.assistant pre > code.hljs"));
        assertTrue(!blocks.isEmpty(), "a highlighted code block");
        WebElement code = blocks.get(blocks.size() - 1);
        assertTrue(!code.findElements(By.cssSelector("span.hljs-keyword")).isEmpty(), code.getDomProperty("innerHTML"));
        assertTrue(code.getText().contains("return 42"), code.getText());
        assertEquals(0L, driver.executeScript("return document.querySelectorAll('[style], script:not([src])').length"),
                "no inline style attribute or inline script anywhere");
        assertTrue(!driver.findElements(By.cssSelector("#messages article.msg.assistant pre > button.copy")).isEmpty(),
                "the code block has its own copy button");
        Browser.screenshot(driver, "ui-02-highlighted-code");
    }

    @Test
    @Order(6)
    void anAnswerThatFinishesInASessionLeftMarksItUntilItIsOpened() throws Exception {
        String a = newSession();
        send("A long one to leave behind [[stub:tokens=60,token-delay=100]]");
        awaitStreamingWords(5);
        String b = newSession();
        assertTrue(driver.findElements(unreadMark(a)).isEmpty(), "no mark while the answer still runs");
        WebElement mark = new WebDriverWait(driver, Duration.ofSeconds(60))
                .until(ExpectedConditions.presenceOfElementLocated(unreadMark(a)));
        assertEquals("new answer", mark.getDomAttribute("aria-label"), "the mark has an accessible name");
        assertTrue(driver.findElements(unreadMark(b)).isEmpty(), "the session on screen is not marked");
        Browser.screenshot(driver, "ui-03-finished-in-the-background");

        // it stays while the user moves on to other sessions, and across a reload of the tab
        newSession();
        assertTrue(!driver.findElements(unreadMark(a)).isEmpty(), "still marked after another switch");
        driver.navigate().refresh();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("who"), EMAIL));
        wait.until(ExpectedConditions.presenceOfElementLocated(unreadMark(a)));

        // opening it shows the whole answer and clears the mark, for good
        driver.findElement(By.cssSelector("#session-list li[data-id='" + a + "'] button.session")).click();
        wait.until(d -> d.getCurrentUrl().endsWith("#/s/" + a));
        assertTrue(awaitFinishedAnswer(1).startsWith(BEGINNING), "the answer finished in the background is there");
        wait.until(d -> d.findElements(unreadMark(a)).isEmpty());
        driver.navigate().refresh();
        wait.until(d -> !d.findElements(By.cssSelector("#session-list li[data-id='" + a + "']")).isEmpty());
        assertTrue(driver.findElements(unreadMark(a)).isEmpty(), "not marked again after a reload");
    }

    private static By unreadMark(String session) {
        return By.cssSelector("#session-list li[data-id='" + session + "'] .unread[role=img]");
    }

    /** Starts a conversation with the sidebar's button; returns its id once the page has opened it. */
    private static String newSession() {
        String before = driver.getCurrentUrl();
        driver.findElement(By.id("new-session")).click();
        wait.until(d -> !d.getCurrentUrl().equals(before) && d.getCurrentUrl().contains("#/s/"));
        String url = driver.getCurrentUrl();
        String id = url.substring(url.indexOf("#/s/") + 4);
        wait.until(d -> !d.findElements(By.cssSelector("#session-list li[data-id='" + id + "'] button[aria-current=true]")).isEmpty());
        return id;
    }

    /** After a reload or in a new tab: the answer in flight shows from its beginning, and ends with every delta once. */
    private static void checkWholeAnswer(int answers) {
        wait.until(d -> d.findElements(By.cssSelector("#messages article.msg.assistant")).size() >= answers);
        WebElement bubble = driver.findElements(By.cssSelector("#messages article.msg.assistant")).get(answers - 1);
        // still streaming, and already from its first word (the old page started mid-answer)
        wait.until(d -> bubble.getDomAttribute("class").contains("streaming")
                && !bubble.findElement(By.className("body")).getText().isBlank());
        String early = bubble.findElement(By.className("body")).getText();
        assertTrue(early.startsWith(BEGINNING), "the beginning is shown at once: " + early);
        awaitFinishedAnswer(answers);
        // the deltas this page got, replayed and live, add up to exactly the stored answer: no gap, no repeat
        assertEquals("complete", bubble.getDomAttribute("data-stream"), "every word once");
    }

    /** Each test counts from what is on the page, so one failing does not make the next fail. */
    private static int answers() {
        return driver.findElements(By.cssSelector("#messages article.msg.assistant")).size();
    }

    private static WebElement awaitStreamingWords(int words) {
        WebElement streaming = wait.until(ExpectedConditions.presenceOfElementLocated(
                By.cssSelector("#messages article.msg.assistant.streaming")));
        wait.until(d -> streaming.findElement(By.className("body")).getText().split("\\s+").length >= words);
        return streaming;
    }

    private static void signIn() throws Exception {
        Browser.signIn(driver, wait, EMAIL);
    }

    private static void send(String text) {
        WebElement input = wait.until(ExpectedConditions.elementToBeClickable(By.id("composer-input")));
        driver.executeScript("arguments[0].value = arguments[1]; document.getElementById('composer').requestSubmit();",
                input, text);
    }

    private static String awaitFinishedAnswer(int answers) {
        new WebDriverWait(driver, Duration.ofSeconds(60)).until(d ->
                d.findElements(By.cssSelector("#messages article.msg.assistant")).size() >= answers
                        && d.findElements(By.cssSelector("#messages article.msg.assistant.streaming")).isEmpty()
                        && d.findElements(By.id("stop")).stream().noneMatch(WebElement::isDisplayed));
        List<WebElement> bodies = driver.findElements(By.cssSelector("#messages article.msg.assistant .body"));
        return bodies.get(bodies.size() - 1).getText();
    }

    private static String normalise(String s) {
        return s.replaceAll("\\s+", " ").trim();
    }
}
