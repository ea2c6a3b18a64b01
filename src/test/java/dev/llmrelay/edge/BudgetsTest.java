package dev.llmrelay.edge;

import dev.llmrelay.config.SecurityConfig;
import dev.llmrelay.testing.RelayHarness;
import dev.llmrelay.testing.SseClient;
import dev.llmrelay.testing.SseEvent;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Spend budgets and cost standalone, on a test clock: a key is refused with {@code budget_exceeded} once its
 * day's or month's spend reaches the budget, in each API's shape and without an upstream call; the cost
 * comes from the upstream's {@code usage.cost}, else the catalog's prices, and reaches the final event,
 * the OpenAI usage and {@code /metrics}, whose per-model and per-key series keep bounded labels.
 */
@ExtendWith(VertxExtension.class)
class BudgetsTest {

  static final String KEY = "budgets-test-key-1";
  /** 2026-03-31T23:00:00Z: an hour before a new day and a new month. */
  static final long T0 = 1_774_998_000_000L;
  /** The catalog's openai/gpt-4o-mini: $0.15 and $0.60 per million prompt and completion tokens. */
  static final double PROMPT = 0.15e-6;
  static final double COMPLETION = 0.6e-6;

  static RelayHarness start(Vertx vertx, SecurityConfig.Budget budget, AtomicLong now) {
    return RelayHarness.start(vertx, c -> c.withSecurity(c.security().withClientKeys(List.of(
      new SecurityConfig.ClientKey("team-a", ClientKeys.sha256Hex(KEY), new SecurityConfig.Limits(0, 0, 0), budget)))),
      now::get);
  }

  static EdgeClient.Response complete(EdgeClient client, String prompt) {
    return client.post("/api/v1/llm/complete", EdgeClient.bearer(KEY), LimitsTest.body(prompt)).await();
  }

  @Test
  void aDailyBudgetRefusesOnceSpentInEveryShapeWithoutAnUpstreamCallAndRenewsTheNextDay(Vertx vertx) {
    AtomicLong now = new AtomicLong(T0);
    RelayHarness h = start(vertx, new SecurityConfig.Budget(0.05, null), now);
    EdgeClient client = new EdgeClient(vertx, h.port);

    EdgeClient.Response first = complete(client, "a [sim tokens=2 paceMs=0 cost=0.03]");
    assertEquals(200, first.status());
    assertEquals(0.03, first.json().getJsonObject("metadata").getDouble("cost"), 1e-12);
    // Under the budget when it started: admitted, and may end past it (the documented overshoot).
    assertEquals(200, complete(client, "b [sim tokens=2 paceMs=0 cost=0.03]").status());

    EdgeClient.Response refused = complete(client, "c");
    assertEquals(402, refused.status(), refused.body());
    JsonObject json = refused.json();
    assertEquals("budget_exceeded", json.getString("type"));
    assertFalse(json.getBoolean("retryable"));
    assertTrue(json.getString("error").contains("key team-a has spent $0.0600 of its daily budget of $0.0500"),
      json.getString("error"));
    assertEquals(2, h.simulator.stats().requests());

    EdgeClient.Response openAi = client.post("/v1/chat/completions", EdgeClient.bearer(KEY), new JsonObject()
      .put("model", "openai/gpt-4o-mini").put("messages", new JsonArray(SseClient.userMessages("hi"))).encode()).await();
    assertEquals(402, openAi.status());
    assertEquals("insufficient_quota", openAi.json().getJsonObject("error").getString("type"));
    assertEquals("budget_exceeded", openAi.json().getJsonObject("error").getString("code"));
    EdgeClient.Response anthropic = client.post("/v1/messages", EdgeClient.bearer(KEY), new JsonObject()
      .put("model", "openai/gpt-4o-mini").put("max_tokens", 16)
      .put("messages", new JsonArray(SseClient.userMessages("hi"))).encode()).await();
    assertEquals(402, anthropic.status());
    assertEquals("billing_error", anthropic.json().getJsonObject("error").getString("type"));
    assertEquals(2, h.simulator.stats().requests());
    assertTrue(h.relay.edge().registry().scrape().contains("relay_rate_limited_total{limit=\"daily_budget\"} 3.0"));

    now.addAndGet(3_600_000);
    assertEquals(200, complete(client, "d [sim tokens=1 paceMs=0]").status());
  }

  @Test
  void aMonthlyBudgetHoldsAcrossDaysAndRenewsWithTheMonth(Vertx vertx) {
    AtomicLong now = new AtomicLong(T0 - 86_400_000L);
    RelayHarness h = start(vertx, new SecurityConfig.Budget(1.0, 0.05), now);
    EdgeClient client = new EdgeClient(vertx, h.port);

    assertEquals(200, complete(client, "a [sim tokens=1 paceMs=0 cost=0.05]").status());
    now.addAndGet(86_400_000L);
    EdgeClient.Response refused = complete(client, "b");
    assertEquals(402, refused.status());
    assertTrue(refused.json().getString("error").contains("monthly budget of $0.0500"), refused.body());
    now.addAndGet(3_600_000);
    assertEquals(200, complete(client, "c [sim tokens=1 paceMs=0]").status());
    assertEquals(2, h.simulator.stats().requests());
  }

  @Test
  void withoutAnUpstreamCostTheCatalogPricesTheStreamInTheFinalEventTheOpenAiUsageAndMetrics(Vertx vertx) {
    AtomicLong now = new AtomicLong(T0);
    RelayHarness h = start(vertx, new SecurityConfig.Budget(0.0, 0.0), now);
    EdgeClient client = new EdgeClient(vertx, h.port);
    double tenTokens = 17 * PROMPT + 10 * COMPLETION;

    // EventSource contract: the [DONE] event's metadata.cost and its usage.cost.
    EdgeClient.Response stream = client.post("/api/v1/llm/complete/stream", EdgeClient.bearer(KEY),
      LimitsTest.body("s [sim tokens=10 paceMs=0 cost=none]")).await();
    List<SseEvent> events = SseClient.events(stream.body());
    JsonObject done = events.get(events.size() - 1).json().getJsonObject("metadata");
    assertEquals(tenTokens, done.getDouble("cost"), 1e-15);
    assertEquals(tenTokens, done.getJsonObject("usage").getDouble("cost"), 1e-15);

    // OpenAI streaming: the usage chunk carries the cost, then [DONE].
    EdgeClient.Response openAi = client.post("/v1/chat/completions", EdgeClient.bearer(KEY), new JsonObject()
      .put("model", "openai/gpt-4o-mini").put("stream", true)
      .put("messages", new JsonArray(SseClient.userMessages("o [sim tokens=10 paceMs=0 cost=none]"))).encode()).await();
    List<SseEvent> chunks = SseClient.events(openAi.body());
    assertEquals("[DONE]", chunks.get(chunks.size() - 1).data());
    JsonObject usage = new JsonObject(chunks.get(chunks.size() - 2).data()).getJsonObject("usage");
    assertEquals(tenTokens, usage.getDouble("cost"), 1e-15);

    // The upstream's own cost wins over the catalog's.
    EdgeClient.Response reported = complete(client, "r [sim tokens=10 paceMs=0 cost=0.5]");
    assertEquals(0.5, reported.json().getJsonObject("metadata").getDouble("cost"), 1e-12);

    // A model the catalog does not list has no price and no label of its own.
    EdgeClient.Response unlisted = client.post("/api/v1/llm/complete", EdgeClient.bearer(KEY), new JsonObject()
      .put("messages", new JsonArray(SseClient.userMessages("u [sim tokens=3 paceMs=0 cost=none]")))
      .put("options", new JsonObject().put("model", "vendor/unlisted-model")).encode()).await();
    assertEquals(200, unlisted.status(), unlisted.body());
    assertNull(unlisted.json().getJsonObject("metadata").getValue("cost"));

    // A stream is recorded when its response is over, which may be just after the client has it all.
    dev.llmrelay.testing.Await.until(() -> h.relay.edge().registry().scrape()
      .contains("relay_key_requests_total{key=\"team-a\",outcome=\"done\"} 4.0"), 5_000, "the last stream recorded");
    String metrics = h.relay.edge().registry().scrape();
    assertTrue(metrics.contains("relay_cost_usd_total{key=\"team-a\",model=\"openai/gpt-4o-mini\"} "
      + (0.5 + 2 * tenTokens)), metrics);
    assertTrue(metrics.contains("relay_model_ttft_seconds_count{model=\"openai/gpt-4o-mini\"} 3"), metrics);
    assertTrue(metrics.contains("relay_model_ttft_seconds_count{model=\"other\"} 1"), metrics);
    assertTrue(metrics.contains("relay_model_token_gap_seconds_count{model=\"openai/gpt-4o-mini\"}"), metrics);
    assertTrue(metrics.contains("relay_model_stream_duration_seconds_count{model=\"openai/gpt-4o-mini\"} 3"), metrics);
    assertTrue(metrics.contains("relay_model_tokens_per_second_count{model=\"openai/gpt-4o-mini\"}"), metrics);
    assertTrue(metrics.contains("relay_key_requests_total{key=\"team-a\",outcome=\"done\"} 4.0"), metrics);
    assertTrue(metrics.contains("relay_key_tokens_total{key=\"team-a\",kind=\"completion\"} 33.0"), metrics);
    // (The per-route breaker gauge names routes, bounded by breaker.maxRoutes; the usage series do not.)
    assertFalse(metrics.lines().anyMatch(l -> (l.startsWith("relay_model") || l.startsWith("relay_cost")
      || l.startsWith("relay_key")) && l.contains("unlisted")), "no label from a model the catalog does not list");
    assertFalse(metrics.contains(KEY), "never the key itself");
  }
}
