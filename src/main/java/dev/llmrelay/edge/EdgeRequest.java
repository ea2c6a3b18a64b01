package dev.llmrelay.edge;

import io.vertx.ext.web.RoutingContext;

import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

/**
 * The edge's view of one HTTP request, kept in its routing context: an id (echoed as
 * {@code X-Request-Id} and in the access log), when it arrived, and the client once authenticated.
 */
final class EdgeRequest {

  private static final String KEY = "dev.llmrelay.edge.request";

  /** The shape of a balancer's X-Request-Id that is kept (compiled once, not per request). */
  private static final Pattern GIVEN_ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");

  private final String id;
  private final long startNanos = System.nanoTime();
  private Client client = Client.ANONYMOUS;

  private EdgeRequest(String id) {
    this.id = id;
  }

  static EdgeRequest start(RoutingContext ctx) {
    String given = ctx.request().getHeader("X-Request-Id");
    // A balancer's id is kept to correlate logs, but only in a shape that cannot forge a log line.
    String id = given != null && GIVEN_ID.matcher(given).matches() ? given
      : Long.toHexString(ThreadLocalRandom.current().nextLong() | Long.MIN_VALUE);
    EdgeRequest request = new EdgeRequest(id);
    ctx.put(KEY, request);
    return request;
  }

  static EdgeRequest of(RoutingContext ctx) {
    EdgeRequest request = ctx.get(KEY);
    return request != null ? request : start(ctx);
  }

  String id() {
    return id;
  }

  long startNanos() {
    return startNanos;
  }

  Client client() {
    return client;
  }

  void client(Client authenticated) {
    this.client = authenticated;
  }
}
