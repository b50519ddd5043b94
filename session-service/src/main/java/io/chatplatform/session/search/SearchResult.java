package io.chatplatform.session.search;

import java.util.List;

public record SearchResult(String query, List<SearchHit> items) {
}
