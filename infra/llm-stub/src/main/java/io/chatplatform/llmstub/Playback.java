package io.chatplatform.llmstub;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerResponse;

import java.util.ArrayList;
import java.util.List;

/**
 * Runs a response as timed steps on the event loop with Vert.x timers (never sleeping), and stops as soon
 * as the client goes away, so a slow or hung response holds no thread and no timer after a disconnect.
 */
final class Playback {

    private record Step(long delayMs, Runnable action) {
    }

    private final Vertx vertx;
    private final HttpServerResponse resp;
    private final StubControls controls;
    private final List<Step> steps = new ArrayList<>();
    private int next;
    private boolean waited;
    private boolean finished;
    private long timer = -1;

    Playback(Vertx vertx, HttpServerResponse resp, StubControls controls) {
        this.vertx = vertx;
        this.resp = resp;
        this.controls = controls;
    }

    Playback step(long delayMs, Runnable action) {
        steps.add(new Step(delayMs, action));
        return this;
    }

    void start() {
        controls.enter();
        resp.closeHandler(v -> finish());
        resp.endHandler(v -> finish());
        run();
    }

    private void finish() {
        if (!finished) {
            finished = true;
            controls.leave();
            if (timer >= 0) {
                vertx.cancelTimer(timer);
                timer = -1;
            }
        }
    }

    private void run() {
        while (!finished && next < steps.size()) {
            Step s = steps.get(next);
            if (s.delayMs() > 0 && !waited) {
                waited = true;
                timer = vertx.setTimer(s.delayMs(), id -> {
                    timer = -1;
                    run();
                });
                return;
            }
            waited = false;
            next++;
            s.action().run();
        }
        if (next >= steps.size() && !finished && resp.ended()) {
            finish();
        }
    }
}
