package io.chatplatform.auth.magic;

import io.chatplatform.auth.AuthConfig;
import io.chatplatform.auth.Metrics;
import io.chatplatform.auth.Secrets;
import io.chatplatform.auth.refresh.RefreshService;
import io.chatplatform.auth.user.User;
import io.chatplatform.auth.user.UserRepository;
import io.chatplatform.common.problem.ProblemException;
import io.chatplatform.common.ratelimit.RateLimiter;
import jakarta.enterprise.context.ApplicationScoped;
import io.quarkus.narayana.jta.QuarkusTransaction;

import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.regex.Pattern;

/**
 * Passwordless login: a request stores a pending login (hashes only) and mails a link plus a code;
 * verifying consumes it atomically, creates the user on first success and starts a refresh family.
 */
@ApplicationScoped
public class LoginService {

    private static final Pattern TOKEN = Pattern.compile("[A-Za-z0-9_-]{43}");
    private static final Pattern CODE = Pattern.compile("[0-9]{6}");
    /** How long a verifying request holds a login while its transaction runs (longer than any login takes). */
    static final Duration CLAIM_HOLD = Duration.ofMinutes(2);
    private static final Logger LOG = Logger.getLogger(LoginService.class);

    private final MagicLinkStore store;
    private final MagicLinkMailer mailer;
    private final UserRepository users;
    private final RefreshService refresh;
    private final SignInLimits limits;
    private final AuthConfig config;
    private final Metrics metrics;
    private final Secrets secrets;

    public LoginService(MagicLinkStore store, MagicLinkMailer mailer, UserRepository users, RefreshService refresh,
                        SignInLimits limits, AuthConfig config, Metrics metrics, Secrets secrets) {
        this.store = store;
        this.mailer = mailer;
        this.users = users;
        this.refresh = refresh;
        this.limits = limits;
        this.config = config;
        this.metrics = metrics;
        this.secrets = secrets;
    }

    /**
     * Mails a link and code to {@code rawEmail}, whether or not an account exists (the same work either
     * way, so neither the answer nor its timing tells). Links already sent stay valid. Returns the nonce
     * that binds the login to this browser: the browser's own ({@code presentedNonce}) while it has
     * pending links for this address, so each code it was sent works there, else a fresh one.
     */
    public String requestLink(String rawEmail, String presentedNonce, String clientIp) {
        String email = EmailAddress.normalise(rawEmail);
        String emailHash = Secrets.sha256Hex(EmailAddress.key(email));
        limits.magicLink(emailHash, presentedNonce, clientIp);

        String token = secrets.token();
        String code = secrets.code();
        String fresh = secrets.token();
        boolean ownNonce = presentedNonce != null && TOKEN.matcher(presentedNonce).matches();
        boolean kept = store.store(new MagicLinkStore.NewLink(Secrets.sha256Hex(token), email, emailHash,
                ownNonce ? Secrets.sha256Hex(presentedNonce) : null, ownNonce ? codeHash(presentedNonce, code) : null,
                Secrets.sha256Hex(fresh), codeHash(fresh, code)), config.magicLink().ttl());
        mailer.send(email, token, code, config.magicLink().ttl());
        metrics.magicLinkRequested();
        return kept ? presentedNonce : fresh;
    }

    /** Result of a successful verification. */
    public record Login(RefreshService.Session session) {
    }

    public Login verify(String token, String code, boolean confirm, String nonce, String clientIp, String userAgent) {
        limits.verify(nonce, clientIp);
        boolean hasToken = token != null && !token.isBlank();
        boolean hasCode = code != null && !code.isBlank();
        if (hasToken == hasCode) {
            throw ProblemException.badRequest("Send either 'token' or 'code'.");
        }
        String nonceHash = nonce == null || nonce.isBlank() ? null : Secrets.sha256Hex(nonce);
        MagicLinkStore.Result result;
        if (hasToken) {
            if (!TOKEN.matcher(token).matches()) {
                metrics.login("invalid");
                throw invalid();
            }
            result = store.claimToken(Secrets.sha256Hex(token), nonceHash, confirm, secrets.token(), CLAIM_HOLD).orElse(null);
        } else {
            if (!CODE.matcher(code).matches()) {
                throw ProblemException.badRequest("'code' must be six digits.");
            }
            if (nonceHash == null) {
                metrics.login("invalid");
                throw ProblemException.unauthorized(
                        "A code works only in the browser that asked for it; open the link instead.");
            }
            var ml = config.magicLink();
            result = store.claimCode(nonceHash, codeHash(nonce, code), new MagicLinkStore.CodeBudget(
                    ml.maxCodeAttempts(), ml.maxWrongCodesPerAddress(), ml.wrongCodeWindow(), ml.ttl()),
                    secrets.token(), CLAIM_HOLD).orElse(null);
        }
        if (result == null) {
            metrics.login("invalid");
            throw invalid();
        }
        switch (result.outcome()) {
            case CONFIRM -> {
                metrics.login("confirmation_required");
                // a peek: nothing consumed; the page shows the address and asks before it re-POSTs with confirm
                throw ProblemException.conflict("This sign-in was requested from another browser; confirm to continue.")
                        .extension("confirmation_required", true)
                        .extension("email", result.email());
            }
            case WRONG_CODE -> {
                metrics.login("wrong_code");
                throw ProblemException.unauthorized("The code is not correct.");
            }
            case BURNED -> {
                metrics.login("burned");
                throw ProblemException.unauthorized("Too many wrong codes; request a new sign-in link.");
            }
            case LOCKED_NOW, CODES_LOCKED -> {
                if (result.outcome() == MagicLinkStore.Outcome.LOCKED_NOW) {
                    mailer.sendCodesLocked(result.email(), config.magicLink().wrongCodeWindow());
                }
                metrics.login("codes_locked");
                throw ProblemException.unauthorized(
                        "Too many wrong codes for this address; codes are off for now, open the link in the email.");
            }
            default -> {
            }
        }
        RefreshService.Session session;
        try {
            session = login(result.email(), userAgent);
        } catch (RuntimeException e) {
            store.release(result.claim()); // nothing committed: the link and code work again
            throw e;
        }
        consume(result.claim());
        metrics.login("success");
        return new Login(session);
    }

    /** First verified login creates the user; user and refresh family commit together. */
    private RefreshService.Session login(String email, String userAgent) {
        return QuarkusTransaction.joiningExisting().call(() -> {
            User user = users.loginByEmail(email);
            return refresh.start(user, userAgent);
        });
    }

    /** The login has committed; a Redis failure now must not fail it (the claim lapses after {@link #CLAIM_HOLD}). */
    private void consume(MagicLinkStore.Claim claim) {
        try {
            store.finish(claim);
        } catch (RuntimeException e) {
            LOG.warnf("Could not consume a used sign-in link; it is held for %s: %s", CLAIM_HOLD, e.toString());
        }
    }

    private static ProblemException invalid() {
        return ProblemException.unauthorized("The sign-in link is invalid, used or expired; request a new one.");
    }

    /** Salted with the browser's nonce, so the stored hash of a six-digit code cannot be brute-forced alone. */
    private static String codeHash(String nonce, String code) {
        return Secrets.sha256Hex(nonce + ":" + code);
    }

    /** Removes the pending login of an address (account deletion). */
    public void dropPending(String email) {
        store.dropForEmail(Secrets.sha256Hex(EmailAddress.key(email)));
    }
}
