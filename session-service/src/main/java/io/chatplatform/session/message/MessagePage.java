package io.chatplatform.session.message;

import java.util.List;

/** {@code next_after_seq} is the {@code after_seq} of the next page, null when this is the last one. */
public record MessagePage(List<Message> items, Long nextAfterSeq) {
}
