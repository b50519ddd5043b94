// What one turn at a time costs on this machine before any of our code runs: how long a thread takes to wake up
// when another hands it work, and how much slower the same JIT-compiled work runs, both right after an idle gap as
// long as the think time of part (c)'s concurrency-1 runs (the CPU idles between turns) and back-to-back.
// Run: java bench/machine/IdleCost.java [GAPS_MS=0,1,50,300] [ROUNDS=200]
// Each gap is measured ROUNDS times (at most 40 for gaps >= 50 ms, to keep the run short); medians and p90s.

import java.util.Arrays;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.SynchronousQueue;

public class IdleCost {

    static final Map<String, Integer> TABLE = new HashMap<>();

    /** About 0.3 ms of hash lookups and string building: a stand-in for a request's own CPU work. */
    static int work(int seed) {
        int sum = 0;
        for (int i = 0; i < 20_000; i++) {
            sum += TABLE.getOrDefault("k" + ((i * 31 + seed) % 5_000), 0);
        }
        return sum;
    }

    public static void main(String[] args) throws Exception {
        String gaps = System.getenv().getOrDefault("GAPS_MS", "0,1,50,300");
        int rounds = Integer.parseInt(System.getenv().getOrDefault("ROUNDS", "200"));
        for (int i = 0; i < 5_000; i++) {
            TABLE.put("k" + i, i);
        }
        int sink = 0;
        for (int i = 0; i < 3_000; i++) {
            sink += work(i); // until C2 has compiled it
        }
        System.out.println("| idle gap before each step (ms) | thread wake-up after a hand-off p50 / p90 (us) | 0.3 ms of warm work p50 / p90 (ms) | rounds |");
        System.out.println("| --- | --- | --- | --- |");
        for (String g : gaps.split(",")) {
            long gap = Long.parseLong(g.trim());
            int n = gap >= 50 ? Math.min(rounds, 40) : rounds;
            long[] wake = handOffs(gap, n);
            long[] busy = new long[n];
            for (int i = 0; i < n; i++) {
                if (gap > 0) {
                    Thread.sleep(gap);
                }
                long t0 = System.nanoTime();
                sink += work(i);
                busy[i] = System.nanoTime() - t0;
            }
            System.out.printf(Locale.ROOT, "| %d | %.0f / %.0f | %.3f / %.3f | %d |%n", gap, pct(wake, 50) / 1e3,
                    pct(wake, 90) / 1e3, pct(busy, 50) / 1e6, pct(busy, 90) / 1e6, n);
        }
        if (sink == 42) {
            System.out.println(); // keeps the work from being optimised away
        }
    }

    /** A second thread waits on a hand-off; each round sleeps {@code gap} ms and hands it the send time. */
    static long[] handOffs(long gap, int n) throws InterruptedException {
        SynchronousQueue<Long> queue = new SynchronousQueue<>();
        long[] latency = new long[n];
        Thread waiter = new Thread(() -> {
            try {
                for (int i = 0; i < n; i++) {
                    long sent = queue.take();
                    latency[i] = System.nanoTime() - sent;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        waiter.start();
        for (int i = 0; i < n; i++) {
            if (gap > 0) {
                Thread.sleep(gap);
            }
            queue.put(System.nanoTime());
        }
        waiter.join();
        return latency;
    }

    static double pct(long[] values, int p) {
        long[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[Math.min(sorted.length - 1, sorted.length * p / 100)];
    }
}
