package io.chatplatform.common.token;

import io.quarkus.arc.DefaultBean;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.jwt.JsonWebToken;

/** Until a service provides a {@link TokenRevocation}, a verified token lives until its {@code exp}. */
@DefaultBean
@ApplicationScoped
public class NoRevocation implements TokenRevocation {

    @Override
    public boolean isRevoked(JsonWebToken token) {
        return false;
    }
}
