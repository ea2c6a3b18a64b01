package dev.llmrelay.api;

import dev.llmrelay.simulator.SimStream;
import dev.llmrelay.testing.Await;
import dev.llmrelay.testing.RelayHarness;
import dev.llmrelay.testing.SseClient;
import dev.llmrelay.testing.SseEvent;
import dev.llmrelay.testing.StallingReader;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;


import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A client that stops reading makes the relay stop reading the upstream: the simulator's writes
 * back up, no stream ever has more than the credit window in flight, and once the client reads again
 * the whole answer arrives.
 */
@ExtendWith(VertxExtension.class)
class BackpressureTest {

  private static final int TOKENS = 150_000;

  @Test
  void aPausedClientStallsTheUpstreamAndLosesNothing(Vertx vertx) throws InterruptedException {
    RelayHarness h = RelayHarness.start(vertx);
    HttpClient http = vertx.createHttpClient(new HttpClientOptions().setReceiveBufferSize(16 * 1024));
    String uri = SseClient.query(SseClient.userMessages("flood [sim tokens=" + TOKENS + "]"),
      new JsonObject().put("model", "sim/flood").encode());
    StallingReader reader = StallingReader.start(vertx,
      () -> http.request(HttpMethod.GET, h.port, "127.0.0.1", uri).compose(req -> req.send()));

    Await.until(() -> h.simulator.stats().writeQueueFull() > 0, 20_000, "the simulator's writes back up");
    SimStream upstream = h.simulator.stats().streams().get(0);
    // A queue can be full for a moment while buffers still drain; the stall is a plateau that lasts.
    int stalledAt = Await.quiet(upstream::written, 1_000, 20_000,
      "the upstream makes no progress for 300 ms while the client is paused");
    assertTrue(stalledAt < TOKENS, "stalled before the end: " + stalledAt);
    assertTrue(h.relay.health().maxInFlight() <= 16, "in flight " + h.relay.health().maxInFlight() + " > window 16");

    Buffer received = reader.readRest().await();

    List<SseEvent> events = SseClient.events(received.toString("UTF-8"));
    assertEquals(TOKENS + 1, events.size());
    assertEquals(upstream.text(), SseClient.text(events));
    assertTrue(h.relay.health().maxInFlight() <= 16);
  }
}
