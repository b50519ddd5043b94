// CPU time of the processes under test (utime + stime from /proc/<pid>/stat, children such as nginx workers
// included) and the machine's load average; used by StackBench.java (a multi-file source program).

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

final class Procs {

    static final double TICK_MS = 1000.0 / clockTicks();

    private Procs() {
    }

    /** name -> pid from infra/local's "pids.*" files ("<pid> <name>" lines), plus this load generator. */
    static Map<String, Long> fromPidFiles(Path dir) throws Exception {
        Map<String, Long> out = new LinkedHashMap<>();
        if (dir != null && Files.isDirectory(dir)) {
            try (Stream<Path> files = Files.list(dir)) {
                for (Path f : files.filter(p -> p.getFileName().toString().startsWith("pids.")).toList()) {
                    for (String line : Files.readAllLines(f)) {
                        String[] parts = line.trim().split("\\s+", 2);
                        if (parts.length == 2 && !parts[1].equals("log-tail") && Files.exists(Path.of("/proc", parts[0]))) {
                            out.put(parts[1], Long.parseLong(parts[0]));
                        }
                    }
                }
            }
        }
        out.put("load-generator", ProcessHandle.current().pid());
        return out;
    }

    /** CPU milliseconds so far of each process and its descendants. */
    static Map<String, Double> cpuMs(Map<String, Long> pids) {
        Map<Long, List<Long>> children = childrenByParent();
        Map<String, Double> out = new LinkedHashMap<>();
        pids.forEach((name, pid) -> out.put(name, treeTicks(pid, children) * TICK_MS));
        return out;
    }

    /** The JVM flags (-X..., -XX:...) a Java process was started with; never -D values (they may hold secrets). */
    static String jvmFlags(long pid) {
        try {
            String[] args = new String(Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline"))).split("\0");
            if (args.length == 0 || !args[0].endsWith("java")) {
                return null;
            }
            List<String> flags = new ArrayList<>();
            for (String a : args) {
                if (a.startsWith("-X") || a.startsWith("-server")) {
                    flags.add(a);
                }
            }
            return String.join(" ", flags);
        } catch (Exception e) {
            return null;
        }
    }

    static double load1() {
        try {
            return Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).split(" ")[0]);
        } catch (Exception e) {
            return Double.NaN;
        }
    }

    /** Waits (at most maxSeconds) for the 1-minute load average to drop below max; returns the load at the end. */
    static double waitQuiet(double max, int maxSeconds) throws InterruptedException {
        long until = System.nanoTime() + maxSeconds * 1_000_000_000L;
        double load = load1();
        while (!(load < max) && System.nanoTime() < until) {
            Thread.sleep(5000);
            load = load1();
        }
        if (!(load < max)) {
            System.err.printf(Locale.ROOT, "load average %.2f, not below %.2f after %d s: measuring anyway%n", load, max, maxSeconds);
        }
        return load;
    }

    private static long treeTicks(long pid, Map<Long, List<Long>> children) {
        long ticks = ticks(pid);
        for (long child : children.getOrDefault(pid, List.of())) {
            ticks += treeTicks(child, children);
        }
        return ticks;
    }

    private static long ticks(long pid) {
        String[] f = statFields(pid);
        return f == null ? 0 : Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime, stime
    }

    /** The fields of /proc/<pid>/stat after "(comm)": index 0 = state, 1 = ppid, 11 = utime, 12 = stime. */
    private static String[] statFields(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            return stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        } catch (Exception e) {
            return null;
        }
    }

    private static Map<Long, List<Long>> childrenByParent() {
        Map<Long, List<Long>> out = new LinkedHashMap<>();
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            procs.map(p -> p.getFileName().toString()).filter(n -> n.chars().allMatch(Character::isDigit)).forEach(n -> {
                String[] f = statFields(Long.parseLong(n));
                if (f != null) {
                    out.computeIfAbsent(Long.parseLong(f[1]), k -> new ArrayList<>()).add(Long.parseLong(n));
                }
            });
        } catch (Exception e) {
            // no children known: own times only
        }
        return out;
    }

    private static long clockTicks() {
        try {
            Process p = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
            return Long.parseLong(new String(p.getInputStream().readAllBytes()).trim());
        } catch (Exception e) {
            return 100;
        }
    }
}
