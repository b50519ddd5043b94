package io.chatplatform.relay;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

/** The slow-consumer bound counts what goes on the wire: UTF-8 bytes, not Java chars. */
class PendingBytesTest {

    @Test
    void countsUtf8BytesOfAsciiAccentsCjkAndEmoji() {
        for (String s : new String[] { "", "plain ascii", "déjà vu", "日本語のテキスト", "emoji 🙂👍🏽", "mixed é日🙂a" }) {
            assertEquals(s.getBytes(StandardCharsets.UTF_8).length, ClientConnection.utf8Length(s), s);
        }
    }
}
