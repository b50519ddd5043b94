package io.chatplatform.session;

import java.util.List;
import java.util.function.IntFunction;

/**
 * One keyset page: the query is asked for {@code limit + 1} rows, and the extra row only says that
 * there is a next page (it is not served).
 */
public record Slice<T>(List<T> items, boolean more) {

    public static <T> Slice<T> fetch(int limit, IntFunction<List<T>> query) {
        List<T> rows = query.apply(limit + 1);
        boolean more = rows.size() > limit;
        return new Slice<>(more ? rows.subList(0, limit) : rows, more);
    }

    /** The last row served: where the next page starts. */
    public T last() {
        return items.getLast();
    }
}
