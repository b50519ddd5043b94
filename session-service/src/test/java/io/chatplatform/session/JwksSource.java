package io.chatplatform.session;

import com.sun.net.httpserver.HttpServer;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import org.jose4j.jwk.JsonWebKey;
import org.jose4j.jwk.JsonWebKeySet;
import org.jose4j.jwk.RsaJsonWebKey;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.KeyFactory;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * auth-service's JWKS as the service fetches it in production: the test key (kid {@code test-key}) over HTTP,
 * each answer {@link #DELAY_MS} late (so a fetch on a request's thread would show as a blocked event loop),
 * and stoppable (an auth-service outage).
 */
public class JwksSource implements QuarkusTestResourceLifecycleManager {

    static final long DELAY_MS = 4000; // over Vert.x's 2 s blocked-thread limit, with margin
    static final AtomicInteger FETCHES = new AtomicInteger();
    static HttpServer server;

    @Override
    public Map<String, String> start() {
        try {
            String jwks = jwks();
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            server.createContext("/api/auth/jwks", exchange -> {
                FETCHES.incrementAndGet();
                try {
                    Thread.sleep(DELAY_MS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                byte[] body = jwks.getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().add("Content-Type", "application/json");
                exchange.sendResponseHeaders(200, body.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            });
            server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
            server.start();
            return Map.of("mp.jwt.verify.publickey.location",
                    "http://127.0.0.1:" + server.getAddress().getPort() + "/api/auth/jwks");
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** auth-service down: connections are refused from now on. */
    static void outage() {
        server.stop(0);
    }

    @Override
    public void stop() {
        if (server != null) {
            server.stop(0);
        }
    }

    private static String jwks() throws Exception {
        try (InputStream in = JwksSource.class.getClassLoader().getResourceAsStream("publicKey.pem")) {
            String pem = new String(in.readAllBytes(), StandardCharsets.US_ASCII)
                    .replace("-----BEGIN PUBLIC KEY-----", "").replace("-----END PUBLIC KEY-----", "");
            RSAPublicKey key = (RSAPublicKey) KeyFactory.getInstance("RSA")
                    .generatePublic(new X509EncodedKeySpec(Base64.getMimeDecoder().decode(pem.strip())));
            RsaJsonWebKey jwk = new RsaJsonWebKey(key);
            jwk.setKeyId("test-key");
            jwk.setUse("sig");
            jwk.setAlgorithm("RS256");
            return new JsonWebKeySet(jwk).toJson(JsonWebKey.OutputControlLevel.PUBLIC_ONLY);
        }
    }
}
