package io.chatplatform.session.session;

import java.util.List;

/** One page of the session list; {@code next_cursor} is null on the last page. */
public record SessionPage(List<Session> items, String nextCursor) {
}
