package io.chatplatform.deploytests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Static checks of each service's Dockerfile.jvm / Dockerfile.native (no Docker engine needed):
 * non-root user, the right inputs, the AOT cache in the JVM image, the service's port.
 */
class DockerfilesTest {

    static List<String> services() {
        return Repo.SERVICES;
    }

    static String dockerfile(String service, String flavour) {
        Path file = Repo.ROOT.resolve(service).resolve("src/main/docker/Dockerfile." + flavour);
        assertTrue(Files.isRegularFile(file), "missing " + Repo.ROOT.relativize(file));
        return Repo.read(file);
    }

    /** The last USER instruction: numeric and not root, so Kubernetes can enforce runAsNonRoot. */
    static void assertNonRootUser(String content, String what) {
        Matcher m = Pattern.compile("(?m)^USER\\s+(\\S+)").matcher(content);
        String user = null;
        while (m.find()) {
            user = m.group(1);
        }
        assertTrue(user != null && user.matches("[1-9][0-9]*(:[0-9]+)?"), what + ": the final USER must be a numeric non-root uid, is " + user);
    }

    static void assertExposesServicePort(String content, String service, String what) {
        Matcher m = Pattern.compile("(?m)^EXPOSE\\s+(\\d+)").matcher(content);
        assertTrue(m.find(), what + ": no EXPOSE");
        assertEquals(Repo.httpPort(service), Integer.parseInt(m.group(1)), what + ": EXPOSE must be quarkus.http.port");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("services")
    void jvmImageRunsTheFastJarWithTheAotCacheWhenPresent(String service) {
        String df = dockerfile(service, "jvm");
        String what = service + " Dockerfile.jvm";
        assertTrue(df.matches("(?s).*FROM\\s+\\S*(eclipse-temurin:(21|25)|ubi9/openjdk-(21|25)).*")
                || df.matches("(?s).*ARG JAVA_IMAGE=\\S*(eclipse-temurin:(21|25)|ubi9/openjdk-(21|25)).*"),
                what + ": JDK 21/25 runtime base image");
        assertTrue(df.contains("target/quarkus-app/lib/") && df.contains("target/quarkus-app/quarkus-run.jar"), what + ": copies target/quarkus-app");
        assertTrue(df.contains("app.ao[t]"), what + ": copies the AOT cache when the build produced one");
        assertTrue(df.contains("-XX:AOTCache=app.aot") && df.contains("[ -f app.aot ]"),
                what + ": starts with -XX:AOTCache=app.aot when the cache file is present");
        assertTrue(df.contains("exec java"), what + ": java must be PID 1 to receive SIGTERM");
        assertNonRootUser(df, what);
        assertExposesServicePort(df, service, what);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("services")
    void nativeImageIsBuiltWithMandrelAndRunsOnTheMicroImage(String service) {
        String df = dockerfile(service, "native");
        String what = service + " Dockerfile.native";
        assertTrue(df.contains("FROM quay.io/quarkus/ubi9-quarkus-mandrel-builder-image:jdk-21 AS build"), what + ": Mandrel builder stage");
        assertTrue(df.contains("FROM quay.io/quarkus/ubi9-quarkus-micro-image:"), what + ": micro runtime image");
        assertTrue(df.contains("-f " + service + "/pom.xml package -Pnative"), what + ": builds this module with the native profile");
        assertTrue(df.contains("/code/" + service + "/target/*-runner"), what + ": copies this module's native executable");
        assertNonRootUser(df, what);
        assertExposesServicePort(df, service, what);
    }
}
