package io.chatplatform.deploytests;

import static io.chatplatform.deploytests.Repo.list;
import static io.chatplatform.deploytests.Repo.str;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Start-up settings that must agree across files: one set of JVM flags (image, Deployments, local stack, start-up
 * benchmark, the AOT cache's training run, which the cache needs to load), the relay with a heap of its own, and Flyway moved off the pods' start
 * into one Job per database-owning service that migrates with the release's image and the pod's database.
 */
class StartupSettingsTest {

    static final List<String> DB_SERVICES = List.of("auth-service", "session-service");

    static List<String> overlays() {
        return Repo.overlays();
    }

    /** The image's JAVA_OPTS without the entropy source (which is about the image's OS, not the JVM's memory). */
    static String imageFlags(String service) throws IOException {
        String df = Files.readString(Repo.ROOT.resolve(service + "/src/main/docker/Dockerfile.jvm"));
        Matcher m = Pattern.compile("JAVA_OPTS=\"([^\"]*)\"").matcher(df);
        assertTrue(m.find(), service + " Dockerfile.jvm sets JAVA_OPTS");
        return m.group(1).replace(" -Djava.security.egd=file:/dev/urandom", "");
    }

    /** The heap part of a flag set (-Xms, -Xmx, optionally -Xmn). */
    static final Pattern HEAP = Pattern.compile(" -Xms\\S+ -Xmx\\S+(?: -Xmn\\S+)?");

    static String heap(String flags) {
        Matcher m = HEAP.matcher(flags);
        assertTrue(m.find(), "a fixed heap in " + flags);
        return m.group().trim();
    }

    @ParameterizedTest(name = "overlay {0}")
    @MethodSource("overlays")
    void oneSetOfJvmFlagsEverywhereWithTheRelaysOwnHeap(String overlay) throws IOException {
        String flags = imageFlags("auth-service");
        String common = HEAP.matcher(flags).replaceFirst("");
        String runSh = Files.readString(Repo.ROOT.resolve("infra/local/run.sh"));
        String startup = Files.readString(Repo.ROOT.resolve("bench/startup/startup.py"));
        String benchRun = Files.readString(Repo.ROOT.resolve("bench/run.sh"));
        String fanout = Files.readString(Repo.ROOT.resolve("bench/relay-fanout/fanout.py"));
        assertTrue(runSh.contains("JAVA_OPTS=${JAVA_OPTS:-" + flags + "}"), "infra/local/run.sh defaults to " + flags);
        assertTrue(startup.contains("'" + flags + "'"), "bench/startup/startup.py defaults to " + flags);
        assertTrue(benchRun.contains("STARTUP_JAVA_OPTS:-" + flags + "}"), "bench/run.sh defaults to " + flags);
        for (String service : Repo.SERVICES) {
            String own = imageFlags(service);
            assertEquals(common, HEAP.matcher(own).replaceFirst(""), service + " Dockerfile.jvm: the common flags");
            if (!heap(own).equals(heap(flags))) { // the relay: the local stack and the benchmarks add the same heap
                assertEquals("relay-service", service, "only the relay has a heap of its own");
                assertTrue(runSh.contains("RELAY_JAVA_HEAP:-" + heap(own) + "}"), "infra/local/run.sh: the relay's heap");
                assertTrue(startup.contains("'" + heap(own) + "'"), "bench/startup/startup.py: the relay's heap");
                assertTrue(fanout.contains("'" + own + "'"), "bench/relay-fanout/fanout.py runs the relay's flags");
            }
            assertEquals("value " + own, ServiceDeploymentsTest.envSources(overlay, service).get("JAVA_OPTS"),
                    "overlay " + overlay + ": " + service + " Deployment JAVA_OPTS");
            String pom = Files.readString(Repo.ROOT.resolve(service + "/pom.xml"));
            Matcher m = Pattern.compile("<aot.jvm-flags>([^<]*)</aot.jvm-flags>").matcher(pom);
            assertTrue(m.find(), service + " pom: the aot profile's training flags");
            assertTrue(own.startsWith(m.group(1)), service + ": the AOT cache is recorded with the GC and heap it runs with");
        }
    }

    @ParameterizedTest(name = "overlay {0}")
    @MethodSource("overlays")
    void flywayRunsOncePerRolloutInAJobNotInEveryPod(String overlay) {
        for (String service : DB_SERVICES) {
            Map<String, String> pod = ServiceDeploymentsTest.envSources(overlay, service);
            assertEquals("value false", pod.get("QUARKUS_FLYWAY_MIGRATE_AT_START"), overlay + ": " + service + " pods do not migrate");
            Map<String, Object> job = Repo.get(overlay, "Job", service + "-migrate");
            List<Object> containers = list(job, "spec", "template", "spec", "containers");
            assertEquals(1, containers.size(), service + "-migrate: one container");
            Object c = containers.get(0);
            String podImage = str(ServiceDeploymentsTest.container(overlay, service), "image");
            assertEquals(podImage, str(c, "image"), overlay + ": " + service + "-migrate runs the release's own image");
            Map<String, String> env = new java.util.LinkedHashMap<>();
            for (Object e : list(c, "env")) {
                String name = str(e, "name");
                String key = str(e, "valueFrom", "configMapKeyRef", "key");
                String secret = str(e, "valueFrom", "secretKeyRef", "name");
                String skey = str(e, "valueFrom", "secretKeyRef", "key");
                env.put(name, key != null ? "configMap " + str(e, "valueFrom", "configMapKeyRef", "name") + "/" + key
                        : secret != null ? "secret " + secret + "/" + skey : "value " + str(e, "value"));
            }
            assertEquals("value true", env.get("QUARKUS_INIT_AND_EXIT"), service + "-migrate: migrates and exits");
            assertEquals("value true", env.get("QUARKUS_FLYWAY_MIGRATE_AT_START"), service + "-migrate: runs Flyway");
            for (String db : List.of("QUARKUS_DATASOURCE_JDBC_URL", "QUARKUS_DATASOURCE_USERNAME", "QUARKUS_DATASOURCE_PASSWORD")) {
                assertEquals(pod.get(db), env.get(db), overlay + ": " + service + "-migrate uses the pods' " + db);
            }
            assertEquals("Never", str(job, "spec", "template", "spec", "restartPolicy"));
            assertEquals("migration", str(job, "spec", "template", "metadata", "labels", "app.kubernetes.io/component"));
        }
    }
}
