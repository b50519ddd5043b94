package io.chatplatform.auth.magic;

import io.chatplatform.common.problem.ProblemException;

import java.util.Locale;
import java.util.regex.Pattern;

/** Validation and normalisation of a sign-in address: trimmed, domain lower-cased, local part kept. */
public final class EmailAddress {

    private static final Pattern LOCAL = Pattern.compile("[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*");
    private static final Pattern DOMAIN = Pattern.compile("([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z][a-z0-9-]{0,61}[a-z0-9]");

    private EmailAddress() {
    }

    public static String normalise(String raw) {
        String email = raw == null ? "" : raw.strip();
        int at = email.lastIndexOf('@');
        if (email.length() > 254 || at <= 0 || at == email.length() - 1) {
            throw invalid();
        }
        String local = email.substring(0, at);
        String domain = email.substring(at + 1).toLowerCase(Locale.ROOT);
        if (local.length() > 64 || domain.length() > 253 || !LOCAL.matcher(local).matches()
                || !DOMAIN.matcher(domain).matches()) {
            throw invalid();
        }
        return local + "@" + domain;
    }

    /** The identity used for uniqueness, rate limits and hashed keys: the whole address, case-folded. */
    public static String key(String normalised) {
        return normalised.toLowerCase(Locale.ROOT);
    }

    private static ProblemException invalid() {
        return ProblemException.badRequest("'email' is not a valid email address.");
    }
}
