package io.chatplatform.auth.api;

import jakarta.ws.rs.NameBinding;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A POST that a cookie authenticates (refresh, logout) or that reads or sets the login cookies
 * (magic-link, verify): a request whose {@code Origin} is not an allowed origin is refused with 403
 * before it runs, so a cross-site page cannot drive it with the browser's cookies.
 */
@NameBinding
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
public @interface SameOrigin {
}
