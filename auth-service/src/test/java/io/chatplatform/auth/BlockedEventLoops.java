package io.chatplatform.auth;

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Vert.x BlockedThreadChecker warnings whose stack is in token verification or a key fetch. A warning from a
 * CPU-starved event loop elsewhere (the test machine is shared) is not what these tests look for.
 */
final class BlockedEventLoops extends Handler implements AutoCloseable {

    private static final List<String> VERIFICATION = List.of("org.jose4j", "io.smallrye.jwt", "io.quarkus.smallrye.jwt",
            "io.chatplatform.common.token", "java.net.http", "sun.net", "java.net.Socket", "java.net.URL");

    final List<String> found = new CopyOnWriteArrayList<>();

    static BlockedEventLoops watch() {
        BlockedEventLoops h = new BlockedEventLoops();
        h.setLevel(Level.ALL);
        Logger.getLogger("").addHandler(h);
        return h;
    }

    @Override
    public void publish(LogRecord r) {
        if (r.getLoggerName() == null || !r.getLoggerName().contains("BlockedThreadChecker") || r.getThrown() == null) {
            return;
        }
        boolean inVerification = Arrays.stream(r.getThrown().getStackTrace())
                .anyMatch(f -> VERIFICATION.stream().anyMatch(p -> f.getClassName().startsWith(p)));
        if (inVerification) {
            found.add(r.getMessage() + "\n" + Arrays.toString(r.getThrown().getStackTrace()));
        }
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
        Logger.getLogger("").removeHandler(this);
    }
}
