package io.chatplatform.auth;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/** Collects every formatted log line of the running app (the tests share its JVM). */
final class LogCapture extends Handler implements AutoCloseable {

    final List<String> lines = new CopyOnWriteArrayList<>();

    static LogCapture start() {
        LogCapture capture = new LogCapture();
        capture.setLevel(Level.ALL);
        Logger.getLogger("").addHandler(capture);
        return capture;
    }

    @Override
    public void publish(LogRecord record) {
        String message = record.getMessage();
        Object[] params = record.getParameters();
        if (params != null && params.length > 0 && message != null) {
            try {
                message = message.contains("%") ? String.format(message, params)
                        : java.text.MessageFormat.format(message, params);
            } catch (RuntimeException e) {
                message = message + " " + java.util.Arrays.toString(params);
            }
        }
        lines.add(record.getLoggerName() + " " + record.getLevel() + " " + message);
    }

    boolean contains(String text) {
        return lines.stream().anyMatch(l -> l.contains(text));
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
        Logger.getLogger("").removeHandler(this);
    }
}
