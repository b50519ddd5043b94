package io.chatplatform.chat.tools;

import io.chatplatform.chat.ChatConfig;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A folder of Markdown documents, split into sections at headings and ranked with BM25 over word tokens.
 * Small on purpose: no embeddings, loaded once at start.
 */
@ApplicationScoped
@Startup
public class KnowledgeBase {

    private static final Logger LOG = Logger.getLogger(KnowledgeBase.class);
    /** Samples bundled in the jar (a jar has no directory listing, so they are named here). */
    static final List<String> BUNDLED = List.of("platform-overview.md", "chat-and-tools.md", "privacy-and-accounts.md",
            "troubleshooting.md");

    public record Hit(String document, String heading, String text, double score) {
    }

    record Chunk(String document, String heading, String text, Map<String, Integer> tf, int length) {
    }

    private final List<Chunk> chunks = new ArrayList<>();
    private final Map<String, Integer> df = new HashMap<>();
    private double avgLength;

    public KnowledgeBase(ChatConfig config) {
        Map<String, String> docs = new HashMap<>();
        Path dir = config.knowledge().path().filter(p -> !p.isBlank()).map(Path::of).orElse(null);
        if (dir != null && Files.isDirectory(dir)) {
            try (Stream<Path> files = Files.list(dir)) {
                for (Path p : files.filter(f -> f.toString().endsWith(".md")).sorted().toList()) {
                    docs.put(p.getFileName().toString(), Files.readString(p));
                }
            } catch (IOException e) {
                LOG.warnf("knowledge folder unreadable: %s", e.getMessage());
            }
        } else {
            for (String name : BUNDLED) {
                try (InputStream in = KnowledgeBase.class.getClassLoader().getResourceAsStream("knowledge/" + name)) {
                    if (in != null) {
                        docs.put(name, new String(in.readAllBytes(), StandardCharsets.UTF_8));
                    }
                } catch (IOException e) {
                    LOG.warnf("bundled knowledge %s unreadable", name);
                }
            }
        }
        docs.forEach(this::index);
        avgLength = chunks.stream().mapToInt(Chunk::length).average().orElse(1);
        LOG.infof("knowledge base: %d documents, %d sections", docs.size(), chunks.size());
    }

    private void index(String doc, String markdown) {
        String heading = doc;
        StringBuilder body = new StringBuilder();
        for (String line : markdown.split("\n")) {
            if (line.startsWith("#")) {
                add(doc, heading, body.toString());
                heading = line.replaceFirst("^#+\\s*", "").trim();
                body.setLength(0);
            }
            body.append(line).append('\n');
        }
        add(doc, heading, body.toString());
    }

    private void add(String doc, String heading, String text) {
        if (text.isBlank()) {
            return;
        }
        Map<String, Integer> tf = new HashMap<>();
        List<String> words = tokens(text);
        words.forEach(w -> tf.merge(w, 1, Integer::sum));
        tf.keySet().forEach(w -> df.merge(w, 1, Integer::sum));
        chunks.add(new Chunk(doc, heading, text.trim(), tf, words.size()));
    }

    static List<String> tokens(String text) {
        List<String> out = new ArrayList<>();
        for (String w : text.toLowerCase(Locale.ROOT).split("[^\\p{L}\\p{N}]+")) {
            if (w.length() > 1) {
                out.add(w.length() > 4 && w.endsWith("s") ? w.substring(0, w.length() - 1) : w);
            }
        }
        return out;
    }

    public List<Hit> search(String query, int limit) {
        double k1 = 1.2;
        double b = 0.75;
        int n = chunks.size();
        List<String> terms = tokens(query).stream().distinct().toList();
        List<Hit> hits = new ArrayList<>();
        for (Chunk c : chunks) {
            double score = 0;
            for (String t : terms) {
                Integer f = c.tf().get(t);
                if (f == null) {
                    continue;
                }
                int d = df.getOrDefault(t, 0);
                double idf = Math.log(1 + (n - d + 0.5) / (d + 0.5));
                score += idf * (f * (k1 + 1)) / (f + k1 * (1 - b + b * c.length() / avgLength));
            }
            if (score > 0) {
                hits.add(new Hit(c.document(), c.heading(), c.text(), score));
            }
        }
        hits.sort(Comparator.comparingDouble(Hit::score).reversed());
        return hits.subList(0, Math.min(limit, hits.size()));
    }
}
