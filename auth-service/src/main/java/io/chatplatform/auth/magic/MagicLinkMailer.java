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
}
