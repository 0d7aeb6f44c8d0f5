package dev.semisup.operator.health;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * /healthz (liveness: the process answers and its informers are healthy), /readyz (readiness: the
 * operator has started) and /metrics (Prometheus text) on one small JDK HTTP server.
 */
public final class HealthServer implements AutoCloseable {

  private final HttpServer server;

  public HealthServer(int port, BooleanSupplier live, BooleanSupplier ready, Supplier<String> metrics)
      throws IOException {
    server = HttpServer.create(new InetSocketAddress(port), 0);
    server.createContext("/healthz", exchange -> answer(exchange, live.getAsBoolean() ? 200 : 503,
        live.getAsBoolean() ? "ok\n" : "informers unhealthy\n", "text/plain"));
    server.createContext("/readyz", exchange -> answer(exchange, ready.getAsBoolean() ? 200 : 503,
        ready.getAsBoolean() ? "ok\n" : "not started\n", "text/plain"));
    server.createContext("/metrics", exchange -> answer(exchange, 200, metrics.get(),
        "text/plain; version=0.0.4; charset=utf-8"));
    server.setExecutor(Executors.newFixedThreadPool(2, r -> {
      Thread thread = new Thread(r, "health-http");
      thread.setDaemon(true);
      return thread;
    }));
    server.start();
  }

  public int port() {
    return server.getAddress().getPort();
  }

  private static void answer(HttpExchange exchange, int code, String body, String type) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", type);
    exchange.sendResponseHeaders(code, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
