package io.chatplatform.llmstub;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Controls carried by one request: X-Stub-* headers and [[stub:...]] markers in the last user message
 * (markers win over headers). Markers are removed from the text the stand-in echoes.
 */
public record Directives(Long firstTokenDelayMs, Long tokenDelayMs, Integer answerTokens, Fault fault, Integer times,
                         String faultSource, boolean toolLoop, String cleanText) {

    static final Pattern MARKER = Pattern.compile("\\[\\[stub:([^\\]]*)]]");

    public enum Fault {
        HTTP_429("429"), HTTP_500("500"), HTTP_503("503"), HANG("hang"), DROP("drop");

        public final String label;

        Fault(String label) {
            this.label = label;
        }

        public static Fault parse(String s) {
            String v = s == null ? "" : s.trim().toLowerCase(Locale.ROOT);
            for (Fault f : values()) {
                if (f.label.equals(v)) {
                    return f;
                }
            }
            throw new IllegalArgumentException("unknown fault '" + s + "' (429, 500, 503, hang, drop)");
        }
    }

    public interface Headers {
        String get(String name);
    }

    public static Directives from(Headers headers, String userText) {
        Long first = longOrNull(headers.get("X-Stub-First-Token-Delay-Ms"));
        Long delay = longOrNull(headers.get("X-Stub-Token-Delay-Ms"));
        Long tokens = longOrNull(headers.get("X-Stub-Answer-Tokens"));
        Fault fault = null;
        Integer times = null;
        String source = null;
        String hf = headers.get("X-Stub-Fault");
        if (hf != null && !hf.isBlank()) {
            // "500" or "500,times=2" (same syntax as the marker)
            String[] parts = hf.split(",");
            fault = Fault.parse(parts[0]);
            for (int i = 1; i < parts.length; i++) {
                String[] kv = parts[i].split("=", 2);
                if (kv.length == 2 && kv[0].trim().equalsIgnoreCase("times")) {
                    times = (int) parseLong(kv[1]);
                }
            }
            source = "header:" + hf.trim();
        }
        boolean loop = false;
        String text = userText == null ? "" : userText;
        Matcher m = MARKER.matcher(text);
        while (m.find()) {
            boolean markerFault = false;
            Integer markerTimes = null;
            for (String item : m.group(1).split(",")) {
                String[] kv = item.split("=", 2);
                String key = kv[0].trim().toLowerCase(Locale.ROOT);
                String val = kv.length > 1 ? kv[1].trim() : "";
                switch (key) {
                    case "first-token-delay" -> first = parseLong(val);
                    case "token-delay" -> delay = parseLong(val);
                    case "tokens" -> tokens = parseLong(val);
                    case "fault" -> {
                        fault = Fault.parse(val);
                        markerFault = true;
                    }
                    case "times" -> markerTimes = (int) parseLong(val);
                    case "tool-loop" -> loop = true;
                    case "" -> {
                    }
                    default -> throw new IllegalArgumentException("unknown stub marker key '" + key + "'");
                }
            }
            if (markerFault) {
                times = markerTimes;
                source = "marker:" + m.group(1).trim();
            }
        }
        // runs of spaces become one; line breaks and indentation stay (an echoed code block stays one)
        String clean = MARKER.matcher(text).replaceAll(" ").trim().replaceAll("(?<=[^\\n \\t])[ \\t]+", " ")
                .replaceAll("[ \\t]+(?=\\n)", "");
        return new Directives(first, delay, tokens == null ? null : (int) Math.min(tokens, 100_000), fault, times,
                source, loop, clean);
    }

    private static Long longOrNull(String s) {
        return s == null || s.isBlank() ? null : parseLong(s);
    }

    private static long parseLong(String s) {
        try {
            long v = Long.parseLong(s.trim());
            if (v < 0) {
                throw new IllegalArgumentException("stub control values must be >= 0, got " + s);
            }
            return v;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("stub control value is not a number: '" + s + "'");
        }
    }
}
