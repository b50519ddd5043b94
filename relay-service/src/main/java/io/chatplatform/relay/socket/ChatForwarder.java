package io.chatplatform.relay.socket;

import io.chatplatform.relay.fanout.EventCodec;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.rest.client.inject.RestClient;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The browser frames that reach chat-service ({@code message.send}, {@code message.regenerate}, {@code cancel}):
 * checked, forwarded with the user's JWT, and chat-service's answer turned into {@code accepted} or an error frame.
 */
@ApplicationScoped
public class ChatForwarder {

    private static final int MAX_ID_LENGTH = 128;
    private static final String ID = "[A-Za-z0-9_.:-]+";

    private final EventCodec codec;
    private final ChatServiceClient chat;

    public ChatForwarder(EventCodec codec, @RestClient ChatServiceClient chat) {
        this.codec = codec;
        this.chat = chat;
    }

    /** {@code message.send} {content, client_message_id?, edit_of?}: edit_of names the user message it is a new version of. */
    public void send(ClientConnection client, JsonNode frame) {
        JsonNode content = frame.get("content");
        JsonNode cmid = frame.get("client_message_id");
        JsonNode editOf = frame.get("edit_of");
        if (content == null || !content.isTextual() || content.asText().isBlank() || !optionalText(cmid)
                || !(absent(editOf) || id(editOf))) {
            malformed(client, "message.send needs content (text), an optional client_message_id (text) and an optional edit_of (a message id)");
            return;
        }
        String clientMessageId = absent(cmid) ? null : cmid.asText();
        forward(client, ChatServiceClient.ChatRequest.send(client.sessionId(), content.asText(), clientMessageId,
                absent(editOf) ? null : editOf.asText()), clientMessageId);
    }

    /** {@code message.regenerate} {message_id (the user message), client_message_id?}: a new answer to it. */
    public void regenerate(ClientConnection client, JsonNode frame) {
        JsonNode messageId = frame.get("message_id");
        JsonNode cmid = frame.get("client_message_id");
        if (!id(messageId) || !optionalText(cmid)) {
            malformed(client, "message.regenerate needs message_id (the user message) and an optional client_message_id (text)");
            return;
        }
        String clientMessageId = absent(cmid) ? null : cmid.asText();
        forward(client, ChatServiceClient.ChatRequest.regenerate(client.sessionId(), messageId.asText(), clientMessageId),
                clientMessageId);
    }

    public void cancel(ClientConnection client, JsonNode frame) {
        JsonNode mid = frame.get("message_id");
        if (!id(mid)) {
            malformed(client, "cancel needs a message_id");
            return;
        }
        chat.cancel(mid.asText(), client.bearer()).subscribe().with(r -> {
            int status = r.getStatus();
            r.close();
            if (status >= 300) {
                client.sendControl(codec.frame("error", "code", "cancel_failed", "status", status, "message_id", mid.asText()));
            }
        }, err -> client.sendControl(codec.frame("error", "code", "cancel_failed", "status", status(err),
                "message_id", mid.asText())));
    }

    private void forward(ClientConnection client, ChatServiceClient.ChatRequest body, String clientMessageId) {
        chat.send(body, client.bearer(), "respond-async")
                .subscribe().with(r -> {
                    int status = r.getStatus();
                    String messageId = status < 300 ? acceptedMessageId(r) : null;
                    r.close();
                    if (status >= 300) {
                        sendFailed(client, status, clientMessageId);
                    } else if (messageId != null) {
                        // the answer's id before its first event, so the UI can offer Stop at once
                        client.sendControl(codec.frame("accepted", "client_message_id", clientMessageId,
                                "message_id", messageId));
                    }
                }, err -> sendFailed(client, status(err), clientMessageId));
    }

    /** message_id of chat-service's 202 {session_id, message_id}; null when absent or unreadable. */
    private String acceptedMessageId(Response r) {
        try {
            if (!r.hasEntity()) {
                return null;
            }
            JsonNode body = codec.mapper().readTree(r.readEntity(String.class));
            JsonNode mid = body == null ? null : body.get("message_id");
            return mid != null && mid.isTextual() && mid.asText().length() <= MAX_ID_LENGTH ? mid.asText() : null;
        } catch (Exception e) {
            return null;
        }
    }

    private void sendFailed(ClientConnection client, int status, String clientMessageId) {
        boolean retryable = status == 429 || status >= 500 || status == 0;
        client.sendControl(codec.frame("error", "code", "send_failed", "status", status,
                "client_message_id", clientMessageId, "retryable", retryable));
        if (status == 401) {
            client.close(RelayCloseCodes.TOKEN_EXPIRED, "token_expired", "token_rejected");
        }
    }

    private void malformed(ClientConnection client, String message) {
        client.sendControl(codec.frame("error", "code", "malformed", "message", message));
    }

    private static boolean absent(JsonNode n) {
        return n == null || n.isNull();
    }

    private static boolean optionalText(JsonNode n) {
        return absent(n) || (n.isTextual() && n.asText().length() <= MAX_ID_LENGTH);
    }

    private static boolean id(JsonNode n) {
        return n != null && n.isTextual() && !n.asText().isEmpty() && n.asText().length() <= MAX_ID_LENGTH
                && n.asText().matches(ID);
    }

    private static int status(Throwable err) {
        return err instanceof WebApplicationException w && w.getResponse() != null ? w.getResponse().getStatus() : 0;
    }
}
