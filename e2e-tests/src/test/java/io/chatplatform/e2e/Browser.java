package io.chatplatform.e2e;

import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** Debian's headless Chromium driven by Debian's chromedriver: no browser download, no network. */
final class Browser {

    static final Path SCREENSHOTS = Path.of("target", "screenshots").toAbsolutePath();

    private Browser() {
    }

    static ChromeDriver start() throws IOException {
        Path profile = Files.createTempDirectory("e2e-chromium");
        ChromeOptions options = new ChromeOptions();
        options.setBinary(System.getProperty("e2e.chromium", "/usr/bin/chromium"));
        // the flags this sandbox needs: no sandbox as root, and no background calls to the closed network
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--window-size=1280,900", "--user-data-dir=" + profile);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(System.getProperty("e2e.chromedriver", "/usr/bin/chromedriver")))
                .usingAnyFreePort()
                .build();
        return new ChromeDriver(service, options);
    }

    static Path screenshot(ChromeDriver driver, String name) throws IOException {
        Files.createDirectories(SCREENSHOTS);
        Path target = SCREENSHOTS.resolve(name + ".png");
        File shot = ((TakesScreenshot) driver).getScreenshotAs(OutputType.FILE);
        Files.copy(shot.toPath(), target, StandardCopyOption.REPLACE_EXISTING);
        return target;
    }

    /** Signs {@code email} in through the login page and the link the stack mailed (its log). */
    static void signIn(ChromeDriver driver, WebDriverWait wait, String email) throws IOException, InterruptedException {
        driver.get(LocalStack.baseUrl() + "/");
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("login-view")));
        int mailsBefore = LocalStack.loginMails().size();
        driver.findElement(By.id("email")).sendKeys(email);
        driver.findElement(By.cssSelector("#email-form button[type=submit]")).click();
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("code-form")));
        String link = null;
        for (int i = 0; i < 60 && link == null; i++) {
            List<String[]> mails = LocalStack.loginMails();
            if (mails.size() > mailsBefore && mails.get(mails.size() - 1)[0] != null) {
                link = mails.get(mails.size() - 1)[0];
            } else {
                Thread.sleep(250); // polling the stack's log for the mail, not synchronising the page
            }
        }
        assertTrue(link != null, "a sign-in link was mailed");
        driver.get(link);
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("who"), email));
    }
}
