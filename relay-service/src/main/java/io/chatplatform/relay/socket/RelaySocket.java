package io.chatplatform.relay.socket;

import io.chatplatform.relay.RelayConfig;
import io.chatplatform.relay.RelayMetrics;
import io.chatplatform.relay.fanout.EventCodec;
import io.chatplatform.relay.fanout.SessionHub;
import io.chatplatform.relay.fanout.StreamId;
import io.chatplatform.relay.upgrade.UpgradeGuard;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import jakarta.inject.Inject;

import org.eclipse.microprofile.jwt.JsonWebToken;
import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;

import io.quarkus.security.Authenticated;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.websockets.next.OnClose;
import io.quarkus.websockets.next.OnError;
import io.quarkus.websockets.next.OnOpen;
import io.quarkus.websockets.next.OnPongMessage;
import io.quarkus.websockets.next.OnTextMessage;
import io.quarkus.websockets.next.WebSocket;
import io.quarkus.websockets.next.WebSocketConnection;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;

/**
 * {@code /ws/sessions/{session_id}}: one browser connection per open session. Authentication, Origin and
 * ownership are enforced before the upgrade ({@link UpgradeGuard} and {@code @Authenticated}).
 */
@Authenticated
@WebSocket(path = "/ws/sessions/{session_id}", endpointId = RelaySocket.ENDPOINT_ID)
public class RelaySocket {

    public static final String ENDPOINT_ID = "relay-session";
    private static final Logger LOG = Logger.getLogger(RelaySocket.class);

    @Inject
    SecurityIdentity identity;
    @Inject
    SessionHub hub;
    @Inject
    ConnectionRegistry registry;
    @Inject
    RelayConfig config;
    @Inject
    RelayMetrics metrics;
    @Inject
    EventCodec codec;
    @Inject
    RevokedConnections revoked;
    @Inject
    Vertx vertx;
    @Inject
    TypingRelay typingRelay;
    @Inject
    ChatForwarder chat;

    @OnOpen
    public Uni<Void> onOpen(WebSocketConnection ws) {
        JsonWebToken jwt = UpgradeGuard.jwt(identity);
        if (jwt == null) { // cannot happen behind @Authenticated; be safe anyway
            return ws.close(new io.quarkus.websockets.next.CloseReason(RelayCloseCodes.POLICY_VIOLATION, "unauthenticated"));
        }
        String sessionId = ws.pathParam("session_id");
        io.netty.channel.Channel channel = ws.userData().get(UpgradeGuard.CHANNEL);
        Context context = Vertx.currentContext();
        if (channel == null || context == null || !channel.eventLoop().inEventLoop()) { // not an HTTP/1.1 upgrade on its loop
            LOG.warnf("no channel for connection %s", ws.id());
            return ws.close(new io.quarkus.websockets.next.CloseReason(RelayCloseCodes.INTERNAL_ERROR, "unavailable"));
        }
        ClientConnection client = new ClientConnection(ws, channel, sessionId, jwt, config.maxPendingBytes(), metrics);
        ConnectionRegistry.Admission admission = registry.tryAdd(client, config.maxConnectionsPerUser(),
                config.maxConnections());
        if (admission != ConnectionRegistry.Admission.ADDED) { // raced past UpgradeGuard's counts: the later ones go
            return ws.close(admission == ConnectionRegistry.Admission.USER_FULL
                    ? new io.quarkus.websockets.next.CloseReason(RelayCloseCodes.POLICY_VIOLATION, "too_many_connections")
                    : new io.quarkus.websockets.next.CloseReason(RelayCloseCodes.TRY_AGAIN_LATER, "replica_full"));
        }
        revoked.closeIfRevoked(client); // revoked between the upgrade's check and the registration
        client.onClosing(() -> hub.leave(client));
        scheduleExpiry(client, jwt.getExpirationTime());

        String lastEventIdRaw = queryParam(ws.handshakeRequest().query(), "last_event_id");
        StreamId resumeFrom = lastEventIdRaw == null || lastEventIdRaw.isEmpty() ? null : StreamId.parse(lastEventIdRaw);
        boolean badResumeId = lastEventIdRaw != null && !lastEventIdRaw.isEmpty() && resumeFrom == null;

        // Subscribe first, then read the stream: an event published in between is in both and is sent once.
        return hub.join(client, context).chain(() -> resumeFrom == null
                ? Uni.createFrom().item(new SessionHub.Replay(!badResumeId, List.of()))
                : hub.replay(sessionId, resumeFrom))
                .chain(replay -> replay.recovered() && resumeFrom != null ? Uni.createFrom().item(replay)
                        // no usable last_event_id: the client loads the history, plus the turn in flight from its start
                        : hub.inFlightTurn(sessionId).map(turn -> new SessionHub.Replay(replay.recovered(), turn)))
                .invoke(replay -> {
                    boolean resumed = resumeFrom != null;
                    List<String> extra = new ArrayList<>();
                    if ((resumed || badResumeId) && !replay.recovered()) {
                        extra.add(codec.frame("error", "code", "history_reload_required", "message",
                                "Events after last_event_id are no longer retained; reload the history.",
                                "reload_history", true));
                    }
                    String ready = codec.frame("ready", "session_id", sessionId, "connection_id", ws.id(),
                            "resumed", resumed, "recovered", replay.recovered(), "replayed", replay.events().size(),
                            "expires_at", jwt.getExpirationTime());
                    client.goLive(ready, extra, replay.events(), replay.recovered() ? resumeFrom : null);
                })
                .onFailure().invoke(err -> {
                    LOG.warnf("could not start a session connection: %s", err.getMessage());
                    client.sendControl(codec.frame("error", "code", "unavailable", "message", "Event feed unavailable"));
                    client.close(RelayCloseCodes.INTERNAL_ERROR, "unavailable", "unavailable");
                })
                .onFailure().recoverWithNull()
                .replaceWithVoid();
    }

    @OnTextMessage
    public void onText(String text, WebSocketConnection ws) {
        ClientConnection client = registry.get(ws.id());
        if (client == null || client.isClosing()) {
            return;
        }
        client.touch();
        if (text.length() > config.maxInboundBytes()
                || text.getBytes(StandardCharsets.UTF_8).length > config.maxInboundBytes()) {
            client.close(RelayCloseCodes.MESSAGE_TOO_BIG, "frame_too_large", "frame_too_large");
            return;
        }
        if (!client.allowInbound(config.maxInboundFrames(), config.rateWindow().toNanos())) {
            client.close(RelayCloseCodes.POLICY_VIOLATION, "rate_limited", "rate_limited");
            return;
        }
        JsonNode frame;
        try {
            frame = codec.mapper().readTree(text);
        } catch (Exception e) {
            frame = null;
        }
        if (frame == null || !frame.isObject() || !frame.path("type").isTextual()) {
            client.sendControl(codec.frame("error", "code", "malformed", "message", "Expected a JSON object with a type"));
            return;
        }
        String type = frame.get("type").asText();
        switch (type) {
            case "ping" -> client.sendControl(codec.frame("pong", "ts", System.currentTimeMillis()));
            case "message.send" -> chat.send(client, frame);
            case "message.regenerate" -> chat.regenerate(client, frame);
            case "cancel" -> chat.cancel(client, frame);
            case "typing" -> typing(client, frame);
            default -> client.sendControl(codec.frame("error", "code", "unknown_type", "message",
                    "Unknown frame type", "frame_type", type.length() > 40 ? type.substring(0, 40) : type));
        }
    }

    @OnPongMessage
    public void onPong(Buffer data, WebSocketConnection ws) {
        ClientConnection client = registry.get(ws.id());
        if (client != null) {
            client.touch();
        }
    }

    @OnClose
    public void onClose(WebSocketConnection ws) {
        ClientConnection client = registry.remove(ws.id());
        if (client != null) {
            long t = client.expiryTimer();
            if (t >= 0) {
                vertx.cancelTimer(t);
            }
            hub.leave(client);
        }
    }

    @OnError
    public void onError(WebSocketConnection ws, Throwable err) {
        LOG.debugf("connection %s error: %s", ws.id(), err.getMessage());
    }

    private void typing(ClientConnection client, JsonNode frame) {
        JsonNode state = frame.get("state");
        if (state == null || !state.isTextual() || state.asText().length() > 16) {
            client.sendControl(codec.frame("error", "code", "malformed", "message", "typing needs a short state"));
            return;
        }
        typingRelay.typing(client, state.asText());
    }

    private void scheduleExpiry(ClientConnection client, long expSeconds) {
        if (expSeconds <= 0) {
            return;
        }
        long delay = expSeconds * 1000 - System.currentTimeMillis() - config.tokenExpiryMargin().toMillis();
        client.expiryTimer(vertx.setTimer(Math.max(1, delay), t -> client.close(RelayCloseCodes.TOKEN_EXPIRED,
                "token_expired", "token_expired")));
    }

    static String queryParam(String query, String name) {
        if (query == null) {
            return null;
        }
        for (String part : query.split("&")) {
            int eq = part.indexOf('=');
            String k = eq < 0 ? part : part.substring(0, eq);
            if (name.equals(k)) {
                return eq < 0 ? "" : URLDecoder.decode(part.substring(eq + 1), StandardCharsets.UTF_8);
            }
        }
        return null;
    }
}
