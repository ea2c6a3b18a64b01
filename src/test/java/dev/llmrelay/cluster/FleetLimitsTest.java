package dev.llmrelay.cluster;

import dev.llmrelay.config.RelayConfig;
import dev.llmrelay.config.SecurityConfig;
import dev.llmrelay.edge.Quota;
import dev.llmrelay.edge.SharedUsage;
import dev.llmrelay.simulator.Simulator;
import dev.llmrelay.testing.Await;
import dev.llmrelay.testing.ClusterHarness;
import dev.llmrelay.testing.SimulatorGroup;
import dev.llmrelay.testing.SseClient;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Per-key limits and budgets across a two-node cluster (both role {@code all}, each streaming from its own
 * simulator, on 127.0.0.1): a key's concurrent streams, requests per minute and daily budget hold for
 * both edges together, and a node whose view of the cluster's shared usage fails falls back to its own
 * limits, says so, and returns. Node B sees the shared usage through a switch the test can break.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(120)
class FleetLimitsTest {

  static final String CONC = "fleet-conc-key";
  static final String RPM = "fleet-rpm-key";
  static final String BUDGET = "fleet-budget-key";
  static final String FALLBACK = "fleet-fallback-key";
  static final String LONG = "long [sim tokens=3000 paceMs=20]";

  /** The shared usage, or (while broken) calls that fail after a while, as Hazelcast's do when out of reach. */
  static final class Switch implements SharedUsage {
    private final Vertx vertx;
    private final SharedUsage real;
    volatile boolean broken;

    Switch(Vertx vertx, SharedUsage real) {
      this.vertx = vertx;
      this.real = real;
    }

    private <T> Future<T> unreachable() {
      return vertx.timer(2_000).compose(v -> Future.failedFuture("shared usage unreachable (test)"));
    }

    @Override
    public String node() {
      return real.node();
    }

    @Override
    public Future<Verdict> admit(String key, Quota quota, long now, long pendingTokens, long pendingNanos) {
      return broken ? unreachable() : real.admit(key, quota, now, pendingTokens, pendingNanos);
    }

    @Override
    public Future<Void> apply(String key, long now, long tokens, long nanos, int released) {
      return broken ? unreachable() : real.apply(key, now, tokens, nanos, released);
    }

    @Override
    public Future<Void> ping() {
      return broken ? unreachable() : real.ping();
    }

    @Override
    public void close() {
      real.close();
    }
  }

  private Vertx vertx;
  private ClusterHarness cluster;
  private final SimulatorGroup sims = new SimulatorGroup();
  private ClusterHarness.Node a;
  private ClusterHarness.Node b;
  private Switch bShared;
  private SseClient clientA;
  private SseClient clientB;

  static String sha256(String key) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  static RelayConfig keys(RelayConfig c) {
    SecurityConfig.Limits none = new SecurityConfig.Limits(0, 0, 0);
    List<SecurityConfig.ClientKey> keys = List.of(
      new SecurityConfig.ClientKey("conc", sha256(CONC), new SecurityConfig.Limits(0, 4, 0)),
      new SecurityConfig.ClientKey("rpm", sha256(RPM), new SecurityConfig.Limits(5, 0, 0)),
      new SecurityConfig.ClientKey("budget", sha256(BUDGET), none, new SecurityConfig.Budget(0.05, 10.0)),
      new SecurityConfig.ClientKey("fallback", sha256(FALLBACK), new SecurityConfig.Limits(0, 1, 0)));
    return ClusterTest.quick(c).withSecurity(c.security().withClientKeys(keys)
      .withClusterLimits(new SecurityConfig.ClusterLimits(250L, 200L, 500L)));
  }

  @BeforeAll
  void startCluster() {
    vertx = Vertx.vertx();
    for (int i = 0; i < 2; i++) {
      sims.add(Simulator.start(vertx, "127.0.0.1", 0).await());
    }
    cluster = new ClusterHarness(2, FleetLimitsTest::keys);
    Future<ClusterHarness.Node> startA = cluster.start("all", sims.get(0).baseUrl());
    Future<ClusterHarness.Node> startB = cluster.start("all", sims.get(1).baseUrl(), real -> {
      bShared = new Switch(vertx, real);
      return bShared;
    });
    Future.all(startA, startB).await();
    a = startA.result();
    b = startB.result();
    clientA = new SseClient(vertx, a.httpPort());
    clientB = new SseClient(vertx, b.httpPort());
  }

  @AfterAll
  void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
    if (vertx != null) {
      vertx.close().await();
    }
  }

  static String body(String prompt) {
    return new JsonObject().put("messages", new JsonArray(SseClient.userMessages(prompt))).encode();
  }

  static Map<String, String> bearer(String key) {
    return Map.of("Authorization", "Bearer " + key);
  }

  static Future<SseClient.Result> stream(SseClient client, String key, String prompt, AtomicBoolean leave) {
    return client.send(HttpMethod.POST, "/api/v1/llm/complete/stream", body(prompt), bearer(key),
      events -> leave.get());
  }

  static SseClient.Result complete(SseClient client, String key, String prompt) {
    return client.send(HttpMethod.POST, "/api/v1/llm/complete", body(prompt), bearer(key), events -> false).await();
  }

  static void assertRefused(SseClient.Result r, int status, String type, String words) {
    assertEquals(status, r.status(), r.body());
    JsonObject json = new JsonObject(r.body());
    assertEquals(type, json.getString("type"));
    assertTrue(json.getString("error").contains(words), json.getString("error"));
  }

  @Test
  void aKeyWithFourConcurrentStreamsOpensFourAcrossBothEdgesNotEight() {
    long[] before = sims.started();
    AtomicBoolean leave = new AtomicBoolean();
    List<Future<SseClient.Result>> open = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      open.add(stream(clientA, CONC, LONG, leave));
      open.add(stream(clientB, CONC, LONG, leave));
    }
    Await.until(() -> sims.startedSince(before) == 4, 20_000, "four streams under way");

    assertRefused(complete(clientA, CONC, "fifth"), 429, "rate_limit", "4 concurrent requests");
    assertRefused(complete(clientB, CONC, "fifth"), 429, "rate_limit", "4 concurrent requests");
    assertEquals(4, sims.startedSince(before), "no upstream call for the refused ones");

    leave.set(true);
    Future.join(open).otherwiseEmpty().await();
    // Leaving frees the slots cluster-wide: the other edge admits again.
    Await.until(() -> complete(clientB, CONC, "again [sim tokens=1 paceMs=0]").status() == 200, 20_000,
      "a slot freed on the other node");
  }

  @Test
  void requestsPerMinuteHoldAcrossBothEdges() {
    long[] before = sims.started();
    for (int i = 0; i < 5; i++) {
      SseClient client = i % 2 == 0 ? clientA : clientB;
      assertEquals(200, complete(client, RPM, "n" + i + " [sim tokens=1 paceMs=0]").status());
    }
    assertRefused(complete(clientA, RPM, "sixth"), 429, "rate_limit", "5 requests per minute");
    assertRefused(complete(clientB, RPM, "sixth"), 429, "rate_limit", "5 requests per minute");
    assertEquals(5, sims.startedSince(before));
  }

  @Test
  void aBudgetSpentOnOneNodeIsRefusedOnTheOtherWithBudgetExceededAndNoUpstreamCall() {
    SseClient.Result spent = complete(clientA, BUDGET, "spend [sim tokens=3 paceMs=0 cost=0.06]");
    assertEquals(200, spent.status());
    assertEquals(0.06, new JsonObject(spent.body()).getJsonObject("metadata").getDouble("cost"), 1e-9);

    // The spend is handed over at the stream's end; the other node refuses from then on.
    long[] before = sims.started();
    Await.until(() -> complete(clientB, BUDGET, "more [sim tokens=1 paceMs=0 cost=0]").status() == 402, 10_000,
      "the other node refuses");
    long started = sims.startedSince(before);
    SseClient.Result refused = complete(clientB, BUDGET, "more");
    assertRefused(refused, 402, "budget_exceeded", "daily budget of $0.0500");
    assertTrue(new JsonObject(refused.body()).getString("error").contains("has spent $0.0600"), refused.body());
    assertEquals(started, sims.startedSince(before), "a refused request makes no upstream call");
    assertTrue(started <= 1, "at most one request got in while the spend was under way: " + started);

    // The OpenAI shape on the first node too.
    SseClient.Result openAi = clientA.send(HttpMethod.POST, "/v1/chat/completions", new JsonObject()
      .put("model", "openai/gpt-4o-mini").put("messages", new JsonArray(SseClient.userMessages("hi"))).encode(),
      Map.of("Authorization", "Bearer " + BUDGET), events -> false).await();
    assertEquals(402, openAi.status(), openAi.body());
    JsonObject error = new JsonObject(openAi.body()).getJsonObject("error");
    assertEquals("insufficient_quota", error.getString("type"));
    assertEquals("budget_exceeded", error.getString("code"));
    assertTrue(scrape(a).contains("relay_cost_usd_total{key=\"budget\",model=\"openai/gpt-4o-mini\"} 0.06"),
      "cost by key and model");
  }

  @Test
  void aNodeThatCannotReachTheSharedUsageKeepsServingUnderItsOwnLimitsSaysSoAndReturns() {
    List<LogRecord> records = new CopyOnWriteArrayList<>();
    Logger log = Logger.getLogger("dev.llmrelay.edge.SharedLimiter");
    Handler capture = new Handler() {
      @Override
      public void publish(LogRecord record) {
        records.add(record);
      }

      @Override
      public void flush() {
      }

      @Override
      public void close() {
      }
    };
    log.addHandler(capture);
    try {
      AtomicBoolean leave = new AtomicBoolean();
      long[] before = sims.started();
      Future<SseClient.Result> held = stream(clientA, FALLBACK, LONG, leave);
      Await.until(() -> sims.startedSince(before) == 1, 20_000, "the stream on A is under way");
      assertRefused(complete(clientB, FALLBACK, "second"), 429, "rate_limit", "1 concurrent requests");
      assertEquals(1.0, mode(b, "cluster"));

      bShared.broken = true;
      long asked = System.currentTimeMillis();
      SseClient.Result local = complete(clientB, FALLBACK, "second [sim tokens=2 paceMs=0]");
      assertEquals(200, local.status(), "served under B's own limit (B holds no stream of the key)");
      assertTrue(System.currentTimeMillis() - asked < 2_000, "not held up by the unreachable cluster");
      assertEquals(1.0, mode(b, "local"));
      assertEquals(0.0, mode(b, "cluster"));
      assertTrue(scrape(b).contains("relay_limits_fallbacks_total 1.0"), "the fallback is counted");
      // Per process now: B's own limit of one holds for B's streams.
      AtomicBoolean leaveB = new AtomicBoolean();
      Future<SseClient.Result> onB = stream(clientB, FALLBACK, LONG, leaveB);
      Await.until(() -> sims.startedSince(before) == 3, 20_000, "a stream on B");
      assertRefused(complete(clientB, FALLBACK, "third"), 429, "rate_limit", "1 concurrent requests");
      leaveB.set(true);
      onB.await();

      bShared.broken = false;
      Await.until(() -> mode(b, "cluster") == 1.0, 10_000, "B back on the cluster's limits");
      assertRefused(complete(clientB, FALLBACK, "fourth"), 429, "rate_limit", "1 concurrent requests");
      leave.set(true);
      held.await();

      List<String> said = records.stream().map(LogRecord::getMessage).filter(m -> m.startsWith("Per-key limits"))
        .toList();
      assertEquals(2, said.size(), "one line per change: " + said);
      assertEquals(Level.WARNING, records.stream().filter(r -> r.getMessage().contains("out of reach")).findFirst()
        .orElseThrow().getLevel());
      assertTrue(said.get(1).contains("answers again"), said.get(1));
    } finally {
      log.removeHandler(capture);
    }
  }

  private static String scrape(ClusterHarness.Node node) {
    return node.relay().edge().registry().scrape();
  }

  private static double mode(ClusterHarness.Node node, String mode) {
    Matcher m = Pattern.compile("relay_limits_mode\\{mode=\"" + mode + "\"} ([0-9.]+)").matcher(scrape(node));
    return m.find() ? Double.parseDouble(m.group(1)) : -1;
  }
}
