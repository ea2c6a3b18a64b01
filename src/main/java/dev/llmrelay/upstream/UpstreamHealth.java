package dev.llmrelay.upstream;

import io.vertx.circuitbreaker.CircuitBreaker;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The breakers of this JVM's provider instances, for {@code GET /health}. Each provider instance has
 * its own breaker (a breaker is per-instance state); the relay is ready while at least one is not open.
 */
public final class UpstreamHealth {

  private final List<CircuitBreaker> breakers = new CopyOnWriteArrayList<>();
  private final AtomicInteger openStreams = new AtomicInteger();
  private final AtomicInteger clientStreams = new AtomicInteger();
  private final AtomicLong maxInFlight = new AtomicLong();

  void add(UpstreamClient client) {
    breakers.add(client.breaker());
  }

  void streamOpened() {
    openStreams.incrementAndGet();
  }

  void streamClosed() {
    openStreams.decrementAndGet();
  }

  void inFlight(long chunks) {
    maxInFlight.accumulateAndGet(chunks, Math::max);
  }

  /** A router began serving a client stream. */
  public void clientStreamOpened() {
    clientStreams.incrementAndGet();
  }

  /** A router finished a client stream, for any reason. */
  public void clientStreamClosed() {
    clientStreams.decrementAndGet();
  }

  /** Client streams this JVM's routers serve right now. */
  public int clientStreams() {
    return clientStreams.get();
  }

  /** Upstream streams this JVM's providers hold right now. */
  public int openStreams() {
    return openStreams.get();
  }

  /** The most chunks any one stream ever had sent but not yet credited back. */
  public long maxInFlight() {
    return maxInFlight.get();
  }

  public JsonObject toJson() {
    JsonArray list = new JsonArray();
    boolean anyClosed = breakers.isEmpty();
    for (CircuitBreaker breaker : breakers) {
      list.add(new JsonObject()
        .put("name", breaker.name())
        .put("state", breaker.state().name())
        .put("failures", breaker.failureCount()));
      anyClosed |= breaker.state() != io.vertx.circuitbreaker.CircuitBreakerState.OPEN;
    }
    return new JsonObject().put("ready", anyClosed).put("openStreams", openStreams()).put("clientStreams", clientStreams()).put("breakers", list);
  }
}
