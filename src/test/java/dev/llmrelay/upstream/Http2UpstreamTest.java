package dev.llmrelay.upstream;

import dev.llmrelay.config.RelayConfig;
import dev.llmrelay.config.UpstreamConfig;
import dev.llmrelay.simulator.SimStream;
import dev.llmrelay.testing.Await;
import dev.llmrelay.testing.RelayHarness;
import dev.llmrelay.testing.SseClient;
import dev.llmrelay.testing.StallingReader;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The upstream over HTTP/2 (h2c to the simulator): many client streams share one connection, a
 * client that leaves resets only its own stream (the simulator counts an abort, the connection
 * lives on), and a paused client stalls its own upstream stream without stalling the others.
 */
@ExtendWith(VertxExtension.class)
class Http2UpstreamTest {

  /** One provider instance with one HTTP/2 connection at most, so sharing is visible. */
  private static RelayConfig h2c(RelayConfig c) {
    RelayConfig one = RelayHarness.instances(c, 1, 1);
    UpstreamConfig u = one.upstream();
    return one.withUpstream(u.withHttp2("on").withPools(u.poolSize(), 1));
  }

  @Test
  void concurrentStreamsShareOneConnectionAndArriveWhole(Vertx vertx) {
    RelayHarness h = RelayHarness.start(vertx, Http2UpstreamTest::h2c);
    SseClient client = new SseClient(vertx, h.port);
    List<Future<SseClient.Result>> results = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      results.add(client.get(SseClient.query(SseClient.userMessages("go [sim tokens=30 paceMs=5]"), null)));
    }
    Future.all(results).await();
    List<SimStream> upstream = h.simulator.stats().streams();
    assertEquals(40, upstream.size());
    for (Future<SseClient.Result> result : results) {
      assertEquals(upstream.get(0).text(), result.result().text());
      assertEquals("[DONE]", result.result().last().json().getString("text"));
    }
    assertEquals(40, h.simulator.stats().http2Requests());
    assertEquals(1, h.simulator.stats().connections());
    h.stop();
  }

  @Test
  void aClientLeavingResetsOnlyItsStream(Vertx vertx) {
    RelayHarness h = RelayHarness.start(vertx, Http2UpstreamTest::h2c);
    SseClient client = new SseClient(vertx, h.port);
    Future<SseClient.Result> survivor = client.get(SseClient.query(SseClient.userMessages("stay [sim tokens=60 paceMs=10]"),
      null));
    SseClient.Result left = client.get(SseClient.query(SseClient.userMessages("go [sim tokens=500 paceMs=10]"), null),
      events -> events.size() >= 4).await();
    assertTrue(left.closedByUs());

    Await.until(() -> h.simulator.stats().aborted() == 1, 2000, "the simulator saw the stream reset");
    SseClient.Result whole = survivor.await();
    SimStream stayed = h.simulator.stats().streams().get(0);
    assertFalse(stayed.aborted());
    assertEquals(stayed.text(), whole.text());
    assertEquals(1, h.simulator.stats().connections(), "the reset closed a stream, not the connection");
    Await.until(() -> h.relay.health().openStreams() == 0 && h.relay.health().clientStreams() == 0, 1000,
      "the relay holds no stream state");
    h.stop();
  }

  @Test
  void aPausedClientStallsOnlyItsOwnStream(Vertx vertx) {
    RelayHarness h = RelayHarness.start(vertx, Http2UpstreamTest::h2c);
    int tokens = 100_000;
    HttpClient http = vertx.createHttpClient(new HttpClientOptions().setReceiveBufferSize(16 * 1024));
    String uri = SseClient.query(SseClient.userMessages("flood [sim tokens=" + tokens + "]"),
      new JsonObject().put("model", "sim/flood").encode());
    StallingReader reader = StallingReader.start(vertx,
      () -> http.request(HttpMethod.GET, h.port, "127.0.0.1", uri).compose(req -> req.send()));

    Await.until(() -> h.simulator.stats().writeQueueFull() > 0, 20_000, "the simulator's writes back up");
    SimStream flood = h.simulator.stats().streams().get(0);
    // Over HTTP/2 a write queue can be full for a moment while the connection flushes; the stall that
    // counts is the one that lasts, once the stream's flow-control window is used up.
    int stalledAt = Await.quiet(flood::written, 1_000, 20_000,
      "the upstream stream makes no progress while its client is paused");
    assertTrue(stalledAt < tokens, "stalled before the end: " + stalledAt);

    // Another stream on the same HTTP/2 connection still flows while the first one is stalled.
    SseClient.Result other = new SseClient(vertx, h.port)
      .get(SseClient.query(SseClient.userMessages("meanwhile [sim tokens=20 paceMs=1]"), null)).await();
    assertEquals(h.simulator.stats().streams().get(1).text(), other.text());
    assertEquals(1, h.simulator.stats().connections());
    assertEquals(stalledAt, flood.written());

    Buffer received = reader.readRest().await();
    assertEquals(flood.text(), SseClient.text(SseClient.events(received.toString("UTF-8"))));
    assertTrue(h.relay.health().maxInFlight() <= 16, "in flight " + h.relay.health().maxInFlight());
    assertEquals(2, h.simulator.stats().http2Requests());
    h.stop();
  }
}
