package io.chatplatform.auth.magic;

import io.chatplatform.auth.AuthConfig;
import io.quarkus.mailer.Mail;
import io.quarkus.mailer.Mailer;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.time.Duration;

/** Writes the sign-in email. The link opens the web UI; the token rides in the fragment, never in a request line. */
@ApplicationScoped
public class MagicLinkMailer {

    private static final Logger LOG = Logger.getLogger(MagicLinkMailer.class);

    private final Mailer mailer;
    private final AuthConfig config;

    public MagicLinkMailer(Mailer mailer, AuthConfig config) {
        this.mailer = mailer;
        this.config = config;
    }

    public String link(String token) {
        String base = config.publicBaseUrl().replaceAll("/+$", "");
        return base + config.magicLink().path() + "#token=" + token;
    }

    public void send(String email, String token, String code, Duration ttl) {
        String link = link(token);
        long minutes = Math.max(1, ttl.toMinutes());
        String expiry = minutes == 1 ? "1 minute" : minutes + " minutes";
        String text = """
                Sign in to Chat Platform

                Open this link in the browser where you asked to sign in:
                %s

                Or enter this code there: %s

                The link and the code work once and expire in %s.
                If you did not ask to sign in, ignore this email.
                """.formatted(link, code, expiry);
        String html = """
                <p>Sign in to Chat Platform</p>
                <p><a href="%s">Sign in</a></p>
                <p>Or enter this code in the browser where you asked to sign in: <strong>%s</strong></p>
                <p>The link and the code work once and expire in %s.
                If you did not ask to sign in, ignore this email.</p>
                """.formatted(link, code, expiry);
        mailer.send(Mail.withText(email, "Your Chat Platform sign-in link", text)
                .setHtml(html)
                .setFrom(config.mail().from()));
        if (config.mail().logLinks()) {
            // local stack only (auth.mail.log-links=true): the one place a link is ever logged
            LOG.infof("Local sign-in link: %s (code %s)", link, code);
        }
    }

    /** Tells the owner that codes were guessed at and are off for a while; links keep working. */
    public void sendCodesLocked(String email, Duration window) {
        long hours = Math.max(1, window.toHours());
        String text = """
                Someone entered too many wrong sign-in codes for this address.

                Sign-in codes for it are switched off for the next %d hours. The links in your sign-in
                emails still work, and so does a new link.
                If you did not try to sign in, nobody got in: you can ignore this email.
                """.formatted(hours);
        mailer.send(Mail.withText(email, "Too many wrong sign-in codes", text).setFrom(config.mail().from()));
    }
}
