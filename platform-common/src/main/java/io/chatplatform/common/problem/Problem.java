package io.chatplatform.common.problem;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonInclude;
import io.quarkus.runtime.annotations.RegisterForReflection;

import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An RFC 9457 problem document. Extension members (e.g. {@code violations}, {@code retry_after})
 * are flattened into the top-level object as the RFC asks.
 */
@RegisterForReflection
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Problem(URI type, String title, int status, String detail, String instance,
                      @com.fasterxml.jackson.annotation.JsonIgnore Map<String, Object> extensions) {

    public static final String MEDIA_TYPE = "application/problem+json";

    /**
     * The one way the platform makes a problem document (REST mappers and Vert.x routes alike): {@code about:blank}
     * unless a type is given, the request path as {@code instance}, extensions copied in their order.
     */
    public static Problem of(int status, String type, String title, String detail, String instance,
                             Map<String, Object> extensions) {
        return new Problem(URI.create(type == null ? "about:blank" : type), title, status, detail, instance,
                extensions == null || extensions.isEmpty() ? null : new LinkedHashMap<>(extensions));
    }

    @JsonAnyGetter
    public Map<String, Object> anyExtensions() {
        return extensions == null ? Map.of() : extensions;
    }
}
