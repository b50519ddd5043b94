package io.chatplatform.relay.socket;

import java.util.Collection;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;

/** Every open client connection of this replica, by connection id, with a count per user for the per-user cap. */
@ApplicationScoped
public class ConnectionRegistry {

    private final ConcurrentHashMap<String, ClientConnection> byId = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Integer> perUser = new ConcurrentHashMap<>();

    /**
     * Adds the connection unless its user already has {@code cap} open here. Counting and adding happen together
     * (under the user's map entry), so upgrades racing each other cannot pass the cap.
     */
    public boolean tryAdd(ClientConnection c, int cap) {
        boolean[] added = {false};
        perUser.compute(c.userId(), (user, n) -> {
            int open = n == null ? 0 : n;
            if (open >= cap) {
                return n;
            }
            added[0] = true;
            return open + 1;
        });
        if (added[0]) {
            byId.put(c.id(), c);
        }
        return added[0];
    }

    public ClientConnection get(String id) {
        return byId.get(id);
    }

    public ClientConnection remove(String id) {
        ClientConnection c = byId.remove(id);
        if (c != null) {
            perUser.computeIfPresent(c.userId(), (user, n) -> n <= 1 ? null : n - 1);
        }
        return c;
    }

    /** Connections the user has open on this replica. */
    public int countOf(String userId) {
        return perUser.getOrDefault(userId, 0);
    }

    public Collection<ClientConnection> all() {
        return byId.values();
    }

    public int size() {
        return byId.size();
    }
}
