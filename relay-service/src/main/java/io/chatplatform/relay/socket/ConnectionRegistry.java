package io.chatplatform.relay.socket;

import java.util.Collection;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.enterprise.context.ApplicationScoped;

/**
 * Every open client connection of this replica, by connection id, with a count per user for the per-user cap and
 * a count of all for the replica's cap.
 */
@ApplicationScoped
public class ConnectionRegistry {

    /** What {@link #tryAdd} did. */
    public enum Admission { ADDED, USER_FULL, REPLICA_FULL }

    private final ConcurrentHashMap<String, ClientConnection> byId = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Integer> perUser = new ConcurrentHashMap<>();
    private final AtomicInteger open = new AtomicInteger();

    /**
     * Adds the connection unless the replica already holds {@code replicaCap} or its user {@code userCap}.
     * Counting and adding happen together (a slot taken first, under the user's map entry next), so upgrades
     * racing each other cannot pass either cap.
     */
    public Admission tryAdd(ClientConnection c, int userCap, int replicaCap) {
        if (open.incrementAndGet() > replicaCap) {
            open.decrementAndGet();
            return Admission.REPLICA_FULL;
        }
        boolean[] added = {false};
        perUser.compute(c.userId(), (user, n) -> {
            int count = n == null ? 0 : n;
            if (count >= userCap) {
                return n;
            }
            added[0] = true;
            return count + 1;
        });
        if (!added[0]) {
            open.decrementAndGet();
            return Admission.USER_FULL;
        }
        byId.put(c.id(), c);
        return Admission.ADDED;
    }

    public ClientConnection get(String id) {
        return byId.get(id);
    }

    public ClientConnection remove(String id) {
        ClientConnection c = byId.remove(id);
        if (c != null) {
            open.decrementAndGet();
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

    /** Connections open on this replica (the replica cap's count). */
    public int size() {
        return open.get();
    }
}
