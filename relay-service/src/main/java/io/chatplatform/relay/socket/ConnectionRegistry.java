package io.chatplatform.relay.socket;

import java.util.Collection;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;

/** Every open client connection of this replica, by connection id. */
@ApplicationScoped
public class ConnectionRegistry {

    private final ConcurrentHashMap<String, ClientConnection> byId = new ConcurrentHashMap<>();

    public void add(ClientConnection c) {
        byId.put(c.id(), c);
    }

    public ClientConnection get(String id) {
        return byId.get(id);
    }

    public ClientConnection remove(String id) {
        return byId.remove(id);
    }

    public Collection<ClientConnection> all() {
        return byId.values();
    }

    public int size() {
        return byId.size();
    }
}
