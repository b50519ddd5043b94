package io.chatplatform.session.session;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

/** Request bodies of the session routes. */
public final class SessionBodies {

    private SessionBodies() {
    }

    public record CreateSession(@Size(min = 1, max = 200) @Pattern(regexp = "(?s).*\\S.*", message = "must not be blank") String title) {
    }

    public record UpdateSession(@NotBlank @Size(min = 1, max = 200) String title) {
    }
}
