package dev.llmrelay.cluster;

import dev.llmrelay.config.RelayConfig;
import dev.llmrelay.config.StreamConfig;
import dev.llmrelay.simulator.SimStream;
import dev.llmrelay.simulator.Simulator;
import dev.llmrelay.testing.Await;
import dev.llmrelay.testing.ChildNode;
import dev.llmrelay.testing.ClusterHarness;
import dev.llmrelay.testing.SimulatorGroup;
import dev.llmrelay.testing.SseClient;
import dev.llmrelay.testing.StallingReader;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The relay as a Hazelcast cluster on 127.0.0.1, built once for the class: an edge node and two
 * provider nodes, each its own clustered Vert.x in this JVM, plus a node with role {@code all} in a
 * second JVM that one test kills. Every provider streams from its own simulator, so a test can tell
 * which node served a stream. A test that stops a node adds that node first, so the others always
 * find the same cluster.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(120)
class ClusterTest {

  static final int HEARTBEAT_MS = 250;
  static final int WATCHDOG_MS = 1500;
  /** Scheduling slack on a loaded machine; without the watchdog the wait would be a 60 s timeout. */
  static final int SLACK_MS = 3000;
  static final String NINE_TOKENS = "The quick brown fox jumps over the lazy dog. ";

  private Vertx vertx;
  private ClusterHarness cluster;
  /** The simulators of the two providers in this JVM (0, 1) and of the child JVM's provider (2). */
  private final SimulatorGroup sims = new SimulatorGroup();
  private ClusterHarness.Node edge;
  private final List<ClusterHarness.Node> providers = new ArrayList<>();
  private SseClient client;
  private ChildNode child;
  private SseClient childClient;
  /** A small receive buffer, so a paused client backs a stream up after fewer tokens. */
  private HttpClientAgent pausingHttp;

  static RelayConfig quick(RelayConfig c) {
    StreamConfig s = c.stream();
    return c.withStream(s.withHeartbeat(HEARTBEAT_MS, WATCHDOG_MS).withTickMs(50));
  }

  @BeforeAll
  void startCluster() {
    vertx = Vertx.vertx();
    pausingHttp = vertx.createHttpClient(new HttpClientOptions().setReceiveBufferSize(8192));
    for (int i = 0; i < 3; i++) {
      sims.add(Simulator.start(vertx, "127.0.0.1", 0).await());
    }
    cluster = new ClusterHarness(10, ClusterTest::quick);
    // The second JVM starts first: it is the slowest, and the nodes here start meanwhile.
    Map<String, String> childEnv = cluster.environment("all", sims.get(2).baseUrl());
    // Two routers and one provider: each process runs one event loop per instance, so one router shares its
    // loop with the provider and opens its streams there, and the other has none on its loop and sends its
    // streams to any provider in the cluster (some to the providers here, orphaned when the child dies).
    RelayConfig childConfig = cluster.config(childEnv);
    childConfig = childConfig.withHttp(childConfig.http().withInstances(2))
      .withUpstream(childConfig.upstream().withInstances(1));
    child = ChildNode.start(childConfig, childEnv);
    childClient = new SseClient(vertx, Integer.parseInt(childEnv.get("RELAY_HTTP_PORT")));
    Future<ClusterHarness.Node> e = cluster.start("edge", null);
    Future<ClusterHarness.Node> p1 = cluster.start("provider", sims.get(0).baseUrl());
    Future<ClusterHarness.Node> p2 = cluster.start("provider", sims.get(1).baseUrl());
    Future.all(e, p1, p2).await();
    edge = e.result();
    providers.addAll(List.of(p1.result(), p2.result()));
    client = new SseClient(vertx, edge.httpPort());
    child.awaitLog("LLM Relay listening on", 90_000);
  }

  @AfterAll
  void stopCluster() {
    if (child != null) {
      child.close();
    }
    if (cluster != null) {
      cluster.close();
    }
    if (vertx != null) {
      vertx.close().await();
    }
  }

  @Test
  void aThousandTokenStreamCrossesNodesIntact() {
    long[] before = sims.started();
    String messages = SseClient.userMessages("Tell me a story [sim tokens=1000 paceMs=0 crlf multibyte]");

    SseClient.Result result = client.get(SseClient.query(messages, null)).await();

    assertEquals(200, result.status());
    SimStream upstream = sims.onlyNewStream(before);
    assertEquals(1000, upstream.written());
    assertEquals(upstream.text(), result.text());
    assertEquals(1001, result.events().size());
    for (int i = 0; i < result.events().size(); i++) {
      assertEquals(Integer.toString(i + 1), result.events().get(i).id());
    }
    JsonObject done = result.last().json();
    assertEquals("[DONE]", done.getString("text"));
    assertEquals(1000, done.getJsonObject("metadata").getJsonObject("usage").getInteger("completion_tokens"));
  }

  @Test
  void streamsSpreadOverTheProviderNodes() {
    long[] before = sims.started();
    List<Future<SseClient.Result>> results = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      results.add(client.get(SseClient.query(SseClient.userMessages("spread " + i + " [sim tokens=9 paceMs=5]"), null)));
    }
    Future.all(results).await();

    for (Future<SseClient.Result> result : results) {
      assertEquals(NINE_TOKENS, result.result().text());
    }
    long[] after = sims.started();
    assertEquals(8, sims.startedSince(before));
    assertTrue(after[0] > before[0] && after[1] > before[1],
      "both provider nodes here served: " + (after[0] - before[0]) + " and " + (after[1] - before[1]));
  }

  @Test
  void aPausedClientBacksUpTheUpstreamAcrossNodesAndThenGetsEveryToken() {
    long[] before = sims.started();
    long fullBefore = sims.writeQueueFull();
    String uri = SseClient.query(SseClient.userMessages("flood [sim tokens=80000]"),
      new JsonObject().put("model", "sim/flood").encode());
    StallingReader reader = StallingReader.start(vertx,
      () -> pausingHttp.request(HttpMethod.GET, edge.httpPort(), "127.0.0.1", uri).compose(req -> req.send()));

    until("the simulator's writes back up", () -> sims.writeQueueFull() > fullBefore);
    SimStream upstream = sims.onlyNewStream(before);
    assertTrue(upstream.written() < 80_000, "the upstream is held back, at " + upstream.written() + " tokens");

    String text = SseClient.text(SseClient.events(reader.readRest().await().toString("UTF-8")));
    for (ClusterHarness.Node provider : providers) {
      assertTrue(provider.relay().health().maxInFlight() <= provider.relay().config().stream().creditWindow());
    }
    assertTrue(upstream.finished() && !upstream.aborted());
    assertEquals(80_000, upstream.written());
    assertEquals(upstream.text(), text);
  }

  @Test
  void aClientLeavingCancelsTheUpstreamAcrossNodes() {
    long[] before = sims.started();
    long abortedBefore = sims.aborted();
    String messages = SseClient.userMessages("long [sim tokens=2000 paceMs=10]");

    SseClient.Result result = client.get(SseClient.query(messages, null), events -> events.size() >= 5).await();

    assertTrue(result.closedByUs());
    until("the simulator sees the abort", () -> sims.aborted() == abortedBefore + 1);
    SimStream upstream = sims.onlyNewStream(before);
    assertTrue(upstream.aborted());
    assertTrue(upstream.written() < 2000, "written " + upstream.written());
  }

  /**
   * Opens streams of {@code directive} one at a time until one lands on {@code sim}'s provider node; the
   * others (on the other providers) are added to {@code others}.
   */
  private Future<SseClient.Result> streamOnto(Simulator sim, String directive, List<Future<SseClient.Result>> others) {
    for (int i = 0; i < 8; i++) {
      long[] before = sims.started();
      long beforeThere = sim.stats().started();
      Future<SseClient.Result> stream = client.get(SseClient.query(SseClient.userMessages("stream " + i + " " + directive),
        null));
      until("the stream reaches a simulator", () -> sims.startedSince(before) + sim.stats().started() - beforeThere > 0);
      if (sim.stats().started() > beforeThere) {
        return stream;
      }
      others.add(stream);
    }
    throw new AssertionError("no stream went to the new provider node");
  }

  @Test
  void aProviderNodeLeavingMidStreamEndsItsStreamWithATypedErrorAndTheNextStreamGoesElsewhere() {
    Simulator sim3 = Simulator.start(vertx, "127.0.0.1", 0).await();
    ClusterHarness.Node p3 = cluster.start("provider", sim3.baseUrl()).await();
    List<Future<SseClient.Result>> others = new ArrayList<>();
    Future<SseClient.Result> onP3 = streamOnto(sim3, "[sim tokens=60 paceMs=25]", others);
    SimStream upstream = sim3.stats().streams().get(0);
    until("the stream is under way", () -> upstream.written() >= 3);
    AtomicLong endedAt = new AtomicLong();
    onP3.onComplete(ar -> endedAt.set(System.currentTimeMillis()));

    long stoppedAt = System.currentTimeMillis();
    cluster.stop(p3).await();
    SseClient.Result cut = onP3.await();

    assertEquals("error", cut.last().event());
    assertEquals("upstream_unavailable", cut.last().json().getString("type"));
    assertTrue(cut.last().json().getBoolean("retryable"));
    assertTrue(endedAt.get() - stoppedAt < WATCHDOG_MS + SLACK_MS, "ended " + (endedAt.get() - stoppedAt) + " ms after");
    assertTrue(upstream.text().startsWith(cut.text()), "the text before the error is the upstream's");
    until("the stopped node's upstream is closed", () -> sim3.stats().aborted() == 1);
    for (Future<SseClient.Result> other : others) {
      assertEquals("[DONE]", other.await().last().json().getString("text"));
    }
    long[] before = sims.started();
    SseClient.Result next = client.get(SseClient.query(SseClient.userMessages("next [sim tokens=9 paceMs=1]"), null))
      .await();
    assertEquals(NINE_TOKENS, next.text());
    assertEquals(1, sims.startedSince(before));
    assertEquals(1, sim3.stats().requests());
  }

  @Test
  void aDrainingProviderNodeFinishesItsStreamsWhileTheOthersTakeTheNewOnes() {
    Simulator sim4 = Simulator.start(vertx, "127.0.0.1", 0).await();
    ClusterHarness.Node p4 = cluster.start("provider", sim4.baseUrl()).await();
    List<Future<SseClient.Result>> others = new ArrayList<>();
    Future<SseClient.Result> onP4 = streamOnto(sim4, "[sim tokens=40 paceMs=50]", others);

    Future<Void> drained = p4.relay().drain();
    until("the draining node takes no new streams", () -> !p4.relay().health().ready());
    long[] before = sims.started();
    List<Future<SseClient.Result>> fresh = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      fresh.add(client.get(SseClient.query(SseClient.userMessages("fresh " + i + " [sim tokens=9 paceMs=1]"), null)));
    }
    for (Future<SseClient.Result> stream : fresh) {
      assertEquals(NINE_TOKENS, stream.await().text());
    }
    assertEquals(6, sims.startedSince(before), "the other providers took every new stream");
    assertEquals(1, sim4.stats().requests(), "the draining node took none");

    SseClient.Result whole = onP4.await();
    assertEquals(Simulator.normalAnswer(40), whole.text());
    assertEquals("[DONE]", whole.last().json().getString("text"));
    drained.await();
    assertEquals(0, sim4.stats().aborted());
    cluster.stop(p4).await();
    for (Future<SseClient.Result> other : others) {
      assertEquals("[DONE]", other.await().last().json().getString("text"));
    }
  }

  @Test
  void anEdgeNodeIsReadyOnlyWhileAProviderAnswersAndNeverNamesBusAddresses() {
    JsonObject ready = new JsonObject(client.get("/health/ready").await().body());
    assertEquals(true, ready.getBoolean("ready"));
    assertEquals("reachable", ready.getJsonObject("upstream").getString("providers"));

    try (ClusterHarness lonely = new ClusterHarness(1, ClusterTest::quick)) {
      ClusterHarness.Node edgeAlone = lonely.start("edge", null).await();
      SseClient alone = new SseClient(vertx, edgeAlone.httpPort());
      SseClient.Result health = alone.get("/health/ready").await();
      assertEquals(503, health.status());
      assertEquals("none", new JsonObject(health.body()).getJsonObject("upstream").getString("providers"));
      SseClient.Result stream = alone.get(SseClient.query(SseClient.userMessages("anyone?"), null)).await();
      JsonObject error = stream.last().json();
      assertEquals("upstream_unavailable", error.getString("type"));
      assertEquals("No provider is available", error.getString("error"));
      assertTrue(!stream.body().contains("llm."), "no bus address in " + stream.body());
    }
  }

  @Test
  void aResumableStreamContinuesOnAnotherEdgeNodeAfterItsFirstEdgeNodeIsKilled() {
    Map<String, String> env = cluster.environment("edge", null);
    try (ChildNode doomedEdge = ChildNode.start(cluster.config(env), env)) {
      doomedEdge.awaitLog("LLM Relay listening on", 90_000);
      SseClient first = new SseClient(vertx, Integer.parseInt(env.get("RELAY_HTTP_PORT")));
      String resumable = new JsonObject().put("resume", true).encode();
      String uri = SseClient.query(SseClient.userMessages("resume me [sim tokens=80 paceMs=25]"), resumable);
      long[] before = sims.started();
      Future<SseClient.Result> reading = first.get(uri, events -> events.size() >= 6);
      SseClient.Result part = reading.await();
      String streamId = part.headers().get("X-Stream-Id");
      assertEquals(6, part.events().size());

      doomedEdge.kill();
      SseClient.Result rest = client.send(HttpMethod.GET, "/api/v1/llm/streams/" + streamId, null,
        Map.of("Last-Event-ID", part.last().id()), events -> false).await();

      assertEquals(200, rest.status());
      assertEquals(Simulator.normalAnswer(80), part.text() + rest.text(), "every token exactly once");
      assertEquals(streamId + ":7", rest.events().get(0).id(), "the stream event and five tokens came before");
      assertEquals("[DONE]", rest.last().json().getString("text"));
      assertEquals(1, sims.startedSince(before), "one generation, on whichever provider took it");
    }
  }

  @Test
  void closingAnEdgeNodeCancelsItsUpstreamStreams() {
    ClusterHarness.Node edge2 = cluster.start("edge", null).await();
    SseClient client2 = new SseClient(vertx, edge2.httpPort());
    long[] before = sims.started();
    long abortedBefore = sims.aborted();
    List<Future<SseClient.Result>> streams = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      streams.add(client2.get(SseClient.query(SseClient.userMessages("orphan " + i + " [sim tokens=2000 paceMs=10]"),
        null)));
    }
    until("all four streams are under way", () -> sims.startedSince(before) == 4
      && sims.newStreams(before).stream().allMatch(s -> s.written() > 0));

    cluster.stop(edge2).await();

    until("every upstream stream of the closed edge is aborted", () -> sims.aborted() - abortedBefore == 4);
    Future.join(streams).otherwiseEmpty().await();
    for (SimStream upstream : sims.newStreams(before)) {
      assertTrue(upstream.aborted() && upstream.written() < 2000, "written " + upstream.written());
    }
  }

  @Test
  void aKilledNodeFailsItsStreamsWithinTheWatchdogCancelsItsOrphansAndNewStreamsGoElsewhere() {
    // A stream from the edge here to the child's provider, found one at a time.
    Future<SseClient.Result> onChild = null;
    List<Future<SseClient.Result>> survivors = new ArrayList<>();
    for (int i = 0; i < 8 && onChild == null; i++) {
      long[] before = sims.started();
      Future<SseClient.Result> stream = client.get(SseClient.query(
        SseClient.userMessages("doomed " + i + " [sim tokens=80 paceMs=25]"), null));
      until("the stream reaches a simulator", () -> sims.startedSince(before) > 0);
      if (sims.started()[2] > before[2]) {
        onChild = stream;
      } else {
        survivors.add(stream);
      }
    }
    assertTrue(onChild != null, "no stream went to the child's provider (one instance, against two on each node here)");
    // Streams from the child's edge: those on the providers in this JVM are orphaned when it dies.
    long[] beforeOrphans = sims.started();
    long abortedBefore = sims.get(0).stats().aborted() + sims.get(1).stats().aborted();
    List<Future<SseClient.Result>> fromChild = new ArrayList<>();
    for (int i = 0; i < 8 && sims.started()[0] + sims.started()[1] == beforeOrphans[0] + beforeOrphans[1]; i++) {
      long[] before = sims.started();
      fromChild.add(childClient.get(SseClient.query(
        SseClient.userMessages("orphan " + i + " [sim tokens=2000 paceMs=10]"), null)));
      until("the child's stream reaches a simulator", () -> sims.startedSince(before) > 0);
    }
    long orphans = sims.started()[0] - beforeOrphans[0] + sims.started()[1] - beforeOrphans[1];
    assertTrue(orphans > 0, "no stream of the child's edge went to a provider in this JVM");
    AtomicLong endedAt = new AtomicLong();
    onChild.onComplete(ar -> endedAt.set(System.currentTimeMillis()));

    long killedAt = System.currentTimeMillis();
    child.kill();
    // Opened before the cluster notices: one goes to the dead node first and must be sent on.
    List<Future<SseClient.Result>> rightAfter = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      rightAfter.add(client.get(SseClient.query(SseClient.userMessages("after " + i + " [sim tokens=9 paceMs=1]"), null)));
    }
    SseClient.Result cut = onChild.await();

    assertEquals("error", cut.last().event());
    assertEquals("upstream_unavailable", cut.last().json().getString("type"));
    assertTrue(endedAt.get() - killedAt < WATCHDOG_MS + SLACK_MS, "ended " + (endedAt.get() - killedAt) + " ms after");
    until("the orphaned upstream streams are cancelled",
      () -> sims.get(0).stats().aborted() + sims.get(1).stats().aborted() - abortedBefore == orphans);
    for (Future<SseClient.Result> next : rightAfter) {
      assertEquals(NINE_TOKENS, next.await().text());
    }
    for (Future<SseClient.Result> survivor : survivors) {
      assertEquals("[DONE]", survivor.await().last().json().getString("text"));
    }
    Future.join(fromChild).otherwiseEmpty().await();
  }

  private static void until(String what, BooleanSupplier condition) {
    Await.until(condition, 20_000, what);
  }
}
