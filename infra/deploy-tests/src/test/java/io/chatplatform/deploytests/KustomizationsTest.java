package io.chatplatform.deploytests;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * The kustomizations stay renderable by the kustomize v2.0.3 inside kubectl 1.20 (Debian 12's
 * kubernetes-client), whatever kubectl runs these tests: only fields that version knows, directories
 * only under `bases`, and no `$patch: delete` (v2.0.3 leaves it in the output for custom resources).
 */
class KustomizationsTest {

    static final Set<String> V2_FIELDS = Set.of("apiVersion", "kind", "namespace", "namePrefix", "nameSuffix", "bases",
            "resources", "images", "configMapGenerator", "secretGenerator", "generatorOptions", "patchesStrategicMerge",
            "patchesJson6902", "commonLabels", "commonAnnotations");

    @Test
    void everyKustomizationUsesOnlyKustomizeV2Fields() throws IOException {
        List<String> problems = new ArrayList<>();
        List<Path> files;
        try (Stream<Path> walk = Files.walk(Repo.K8S)) {
            files = walk.filter(f -> f.getFileName().toString().equals("kustomization.yaml")).sorted().toList();
        }
        assertTrue(files.size() >= 3, "kustomizations found: " + files);
        for (Path file : files) {
            String where = Repo.ROOT.relativize(file).toString();
            Map<String, Object> k = Repo.cast(new Yaml(new LoaderOptions()).load(Repo.read(file)));
            for (String key : k.keySet()) {
                if (!V2_FIELDS.contains(key)) {
                    problems.add(where + ": field " + key + " is unknown to kustomize v2.0.3");
                }
            }
            for (Object r : Repo.list(k.get("resources"))) {
                if (Files.isDirectory(file.getParent().resolve(String.valueOf(r)))) {
                    problems.add(where + ": resources entry " + r + " is a directory (kustomize v2.0.3 wants it under bases)");
                }
            }
            for (Object p : Repo.list(k.get("patchesStrategicMerge"))) {
                Path patch = file.getParent().resolve(String.valueOf(p));
                if (!Files.isRegularFile(patch)) {
                    problems.add(where + ": patchesStrategicMerge entry " + p + " must be a file");
                } else if (Repo.read(patch).contains("$patch: delete")) {
                    problems.add(where + ": " + p + " uses $patch: delete");
                }
            }
        }
        assertTrue(problems.isEmpty(), String.join("\n", problems));
    }
}
