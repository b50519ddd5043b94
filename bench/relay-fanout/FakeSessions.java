import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;

import com.sun.net.httpserver.HttpServer;

/**
 * A stand-in for session-service in the fan-out benchmark: every session belongs to whoever asks (relay-service's
 * ownership check at each upgrade). Prints its port.
 */
public class FakeSessions {

    public static void main(String[] args) throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 1024);
        byte[] body = "{\"id\":\"x\"}".getBytes(StandardCharsets.UTF_8);
        server.createContext("/api/sessions/", ex -> {
            ex.getRequestBody().readAllBytes();
            ex.getResponseHeaders().add("Content-Type", "application/json");
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        server.setExecutor(Executors.newFixedThreadPool(4));
        server.start();
        System.out.println(server.getAddress().getPort());
        System.out.flush();
    }
}
