package dev.llmrelay.edge;

import dev.llmrelay.Main;
import dev.llmrelay.Relay;
import dev.llmrelay.config.ConfigLoader;
import dev.llmrelay.config.RelayConfig;
import dev.llmrelay.config.SecurityConfig;
import dev.llmrelay.simulator.Simulator;
import dev.llmrelay.testing.Await;
import dev.llmrelay.testing.RelayHarness;
import dev.llmrelay.testing.SseClient;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.micrometer.MicrometerMetricsFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A scripted run (three streams that finish, one the upstream refuses, one the client leaves, a
 * request without a key and a malformed one), then: {@code /metrics} holds exactly the values that
 * run implies; the access log has one JSON line per stream; and no log line anywhere contains the
 * key, the browser token or the prompt text.
 */
@ExtendWith(VertxExtension.class)
class ObservabilityTest {

  static final String KEY = "obs-key-7f3e9a2b41c8d6e5";
  static final String SECRET_PROMPT = "PROMPT-TEXT-4711 my bank PIN is 0000";

  @Test
  void metricsAndAccessLogMatchAScriptedRunAndNoLogLineHoldsAKeyOrPrompt(Vertx vertx) {
    Capture capture = Capture.install();
    try {
      RelayHarness h = RelayHarness.start(vertx,
        c -> EdgeClient.withKey(c, "obs", KEY, new SecurityConfig.Limits(0, 0, 0)));
      EdgeClient client = new EdgeClient(vertx, h.port);
      SseClient sse = new SseClient(vertx, h.port);
      String token = client.post("/api/v1/llm/token", EdgeClient.bearer(KEY), "").await().json().getString("token");
      String tokenParam = "&token=" + URLEncoder.encode(token, StandardCharsets.UTF_8);

      for (int tokens : new int[] {3, 5, 7}) {
        SseClient.Result done = sse.get(SseClient.query(SseClient.userMessages(SECRET_PROMPT + " [sim tokens=" + tokens
          + " paceMs=0]"), null) + tokenParam).await();
        assertEquals("[DONE]", done.last().json().getString("text"));
      }
      String refused = new JsonObject().put("messages", new JsonArray(SseClient.userMessages(SECRET_PROMPT)))
        .put("options", new JsonObject().put("model", "sim/context-length")).encode();
      EdgeClient.Response contextLength = client.post("/api/v1/llm/complete/stream", EdgeClient.bearer(KEY), refused)
        .await();
      assertEquals(400, contextLength.status());
      assertEquals("context_length", contextLength.json().getString("type"));
      SseClient.Result left = sse.get(SseClient.query(SseClient.userMessages(SECRET_PROMPT
        + " [sim tokens=5000 paceMs=10]"), null) + tokenParam, events -> events.size() >= 3).await();
      assertTrue(left.closedByUs());
      assertEquals(401, client.post("/api/v1/llm/complete", Map.of(), refused).await().status());
      assertEquals(400, client.post("/api/v1/llm/complete", EdgeClient.bearer(KEY), "{\"messages\":").await().status());
      Await.until(() -> capture.access().size() == 5, 10_000, "five access-log lines");

      // The per-route gauges must survive a collection (held weakly, they read NaN after one).
      System.gc();
      Map<String, Double> m = scrape(client);
      assertEquals(4.0, m.get("relay_http_requests_total{endpoint=\"/api/v1/llm/complete/stream\",method=\"GET\",status=\"200\"}"));
      assertEquals(1.0, m.get("relay_http_requests_total{endpoint=\"/api/v1/llm/complete/stream\",method=\"POST\",status=\"400\"}"));
      assertEquals(1.0, m.get("relay_http_requests_total{endpoint=\"/api/v1/llm/complete\",method=\"POST\",status=\"401\"}"));
      assertEquals(1.0, m.get("relay_http_requests_total{endpoint=\"/api/v1/llm/complete\",method=\"POST\",status=\"400\"}"));
      assertEquals(1.0, m.get("relay_http_requests_total{endpoint=\"/api/v1/llm/token\",method=\"POST\",status=\"200\"}"));
      assertEquals(0.0, m.get("relay_streams_active"));
      assertEquals(3.0, m.get("relay_streams_total{outcome=\"done\"}"));
      assertEquals(1.0, m.get("relay_streams_total{outcome=\"error\"}"));
      assertEquals(1.0, m.get("relay_streams_total{outcome=\"cancelled\"}"));
      assertEquals(1.0, m.get("relay_upstream_errors_total{type=\"context_length\"}"));
      assertEquals(4.0, m.get("relay_stream_ttft_seconds_count"));
      assertEquals(4.0, m.get("relay_stream_ttft_seconds_bucket{le=\"+Inf\"}"));
      assertEquals(5.0, m.get("relay_stream_duration_seconds_count"));
      assertEquals(5.0, m.get("relay_stream_duration_seconds_bucket{le=\"+Inf\"}"));
      assertEquals(51.0, m.get("relay_tokens_total{kind=\"prompt\"}"));
      // One route per model asked for (the default model and the context-length one), both closed: a final 400
      // is the model's answer, not ill health.
      assertEquals(2.0, m.get("relay_circuit_breakers{state=\"closed\"}"));
      assertEquals(0.0, m.get("relay_circuit_breakers{state=\"open\"}"));
      assertEquals(0.0, m.get("relay_route_circuit{route=\"openai/gpt-4o-mini\"}"));
      assertEquals(0.0, m.get("relay_route_circuit{route=\"sim/context-length\"}"));

      // The access log is written off the event loop: its five lines (three done, one error, one cancelled) follow.
      Await.until(() -> capture.access().size() >= 5, 10_000, "the five streams' access-log lines are written");
      List<JsonObject> lines = capture.access();
      assertEquals(5, lines.size(), lines.toString());
      Map<String, List<JsonObject>> byOutcome = new HashMap<>();
      for (JsonObject line : lines) {
        byOutcome.computeIfAbsent(line.getString("outcome"), k -> new ArrayList<>()).add(line);
        assertEquals("stream", line.getString("type"));
        assertEquals("obs", line.getString("client"));
        assertTrue(line.getString("requestId").matches("[0-9a-f]{16}"), line.encode());
        assertTrue(line.getLong("durationMs") >= 0);
      }
      List<JsonObject> done = byOutcome.get("done");
      assertEquals(List.of(3L, 5L, 7L), done.stream().map(l -> l.getLong("completionTokens")).sorted().toList());
      for (JsonObject line : done) {
        assertEquals("/api/v1/llm/complete/stream", line.getString("endpoint"));
        assertEquals(200, line.getInteger("status"));
        assertEquals("openai/gpt-4o-mini", line.getString("model"));
        assertEquals("stop", line.getString("finishReason"));
        assertEquals(17, line.getInteger("promptTokens"));
        assertNotNull(line.getLong("ttftMs"));
        assertNull(line.getString("errorType"));
      }
      JsonObject error = byOutcome.get("error").get(0);
      assertEquals("context_length", error.getString("errorType"));
      assertEquals(400, error.getInteger("status"));
      assertEquals("sim/context-length", error.getString("model"));
      assertNull(error.getValue("ttftMs"));
      JsonObject cancelled = byOutcome.get("cancelled").get(0);
      long cancelledTokens = cancelled.getLong("completionTokens");
      assertTrue(cancelledTokens >= 3, cancelled.encode());
      assertEquals(15.0 + cancelledTokens, m.get("relay_tokens_total{kind=\"completion\"}"));

      List<String> all = capture.all();
      assertTrue(all.size() >= 7, all.toString());
      for (String line : all) {
        assertFalse(line.contains(KEY), line);
        assertFalse(line.contains(token), line);
        assertFalse(line.contains("PROMPT-TEXT-4711"), line);
        assertFalse(line.contains("bank PIN"), line);
      }
    } finally {
      capture.remove();
    }
  }

  @Test
  void aBlockedAccessLogHandlerHoldsUpNoStream(Vertx vertx) throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    List<String> seen = new CopyOnWriteArrayList<>();
    Handler blocking = new Handler() {
      @Override
      public void publish(LogRecord record) {
        try {
          release.await(20, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        seen.add(record.getMessage());
      }

      @Override
      public void flush() {
      }

      @Override
      public void close() {
      }
    };
    Logger access = Logger.getLogger(AccessLog.LOGGER);
    access.addHandler(blocking);
    try {
      RelayHarness h = RelayHarness.start(vertx);
      SseClient sse = new SseClient(vertx, h.port);
      for (int i = 0; i < 3; i++) {
        // Were the line written on the event loop, the first stream's end would hang it for 20 s.
        SseClient.Result result = sse.get(SseClient.query(SseClient.userMessages("hi [sim tokens=2 paceMs=0]"), null))
          .await(5, TimeUnit.SECONDS);
        assertEquals("[DONE]", result.last().json().getString("text"));
      }
      assertEquals(List.of(), seen);
      release.countDown();
      Await.until(() -> seen.size() >= 3, 10_000, "the held lines are written once the handler is free");
      for (String line : seen) {
        assertEquals("stream", new JsonObject(line).getString("type"));
      }
      assertEquals(0.0, scrape(new EdgeClient(vertx, h.port)).get("relay_access_log_dropped_total"));
      h.stop();
    } finally {
      release.countDown();
      access.removeHandler(blocking);
    }
  }

  @Test
  void vertxOwnSeriesShareTheRegistryAndItsPerRequestHttpSeriesAreOptIn() {
    RelayConfig shipped = ConfigLoader.defaults();
    assertFalse(shipped.http().vertxHttpMetrics());
    Set<String> plain = seriesAfterOneRequest(shipped);
    assertTrue(plain.stream().anyMatch(k -> k.startsWith("jvm_memory_used_bytes")), plain.toString());
    assertTrue(plain.contains("relay_streams_active"));
    assertTrue(plain.stream().noneMatch(k -> k.startsWith("vertx_http_")), plain.toString());

    Set<String> withHttp = seriesAfterOneRequest(shipped.withHttp(shipped.http().withVertxHttpMetrics(true)));
    assertTrue(withHttp.stream().anyMatch(k -> k.startsWith("vertx_http_server_requests_total")), withHttp.toString());
    assertTrue(withHttp.stream().anyMatch(k -> k.startsWith("vertx_http_client_")), withHttp.toString());
  }

  /** Deploys a relay with {@code config} on a Vert.x built as {@code Main} builds it; one completion, then its series. */
  private static Set<String> seriesAfterOneRequest(RelayConfig config) {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    Vertx vertx = Vertx.builder().with(Main.vertxOptions(config)).withMetrics(new MicrometerMetricsFactory(registry))
      .build();
    try {
      Simulator simulator = Simulator.start(vertx, "127.0.0.1", 0).await();
      RelayConfig local = ConfigLoader.applyEnvironment(config, Map.of("RELAY_UPSTREAM_URL",
        simulator.baseUrl(), "RELAY_HTTP_HOST", "127.0.0.1", "RELAY_HTTP_PORT", "0"));
      Relay relay = Relay.deploy(vertx, local, registry, System::currentTimeMillis).await();
      EdgeClient client = new EdgeClient(vertx, relay.port());
      String body = new JsonObject().put("messages", new JsonArray(SseClient.userMessages("hi [sim tokens=3 paceMs=0]")))
        .encode();
      EdgeClient.Response answer = client.post("/api/v1/llm/complete", Map.of(), body).await();
      assertEquals(200, answer.status(), answer.body());
      Set<String> series = scrape(client).keySet();
      // Stopping the relay writes its access-log line now, not into the next test's capture.
      relay.stop().await();
      return series;
    } finally {
      vertx.close().await();
    }
  }

  static Map<String, Double> scrape(EdgeClient client) {
    EdgeClient.Response metrics = client.get("/metrics", EdgeClient.bearer(KEY)).await();
    assertEquals(200, metrics.status());
    assertTrue(metrics.headers().get("Content-Type").startsWith("text/plain"));
    Map<String, Double> values = new HashMap<>();
    for (String line : metrics.body().split("\n")) {
      if (!line.startsWith("#") && !line.isBlank()) {
        int space = line.lastIndexOf(' ');
        values.put(line.substring(0, space), Double.parseDouble(line.substring(space + 1)));
      }
    }
    return values;
  }

  /** Collects every log record of the JVM (all loggers) while installed, formatted as an operator would read it. */
  static final class Capture extends Handler {
    private final ConcurrentLinkedQueue<LogRecord> records = new ConcurrentLinkedQueue<>();

    static Capture install() {
      Capture capture = new Capture();
      Logger.getLogger("").addHandler(capture);
      return capture;
    }

    void remove() {
      Logger.getLogger("").removeHandler(this);
    }

    List<JsonObject> access() {
      return records.stream().filter(r -> AccessLog.LOGGER.equals(r.getLoggerName()))
        .map(r -> new JsonObject(r.getMessage())).toList();
    }

    List<String> all() {
      java.util.logging.SimpleFormatter formatter = new java.util.logging.SimpleFormatter();
      return records.stream().map(formatter::format).toList();
    }

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
  }
}
