package dev.llmrelay.api;

import dev.llmrelay.config.BreakerConfig;
import dev.llmrelay.config.RelayConfig;
import dev.llmrelay.config.UpstreamConfig;
import dev.llmrelay.testing.Await;
import dev.llmrelay.testing.RelayHarness;
import dev.llmrelay.testing.SseClient;
import dev.llmrelay.testing.SseEvent;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every simulator scenario through every relay endpoint: the exact status, event sequence, error
 * type, retryability and message words the client sees, how often the upstream was called, and
 * that the upstream connection was closed.
 */
@ExtendWith(VertxExtension.class)
class FaultMatrixTest {

  /**
   * @param preHead the failure happens before the upstream's 2xx head (POST endpoints answer with it)
   * @param tokensFirst tokens the client sees before the error
   * @param requests upstream requests made (retries included)
   * @param aborted whether the relay had to close a still-open upstream connection
   */
  record Row(String model, String directive, String type, int status, boolean retryable, String words,
             boolean preHead, int tokensFirst, int requests, boolean aborted) {
    /** The scenario's name, so each case of a parameterized test is named by it. */
    @Override
    public String toString() {
      return model;
    }
  }

  static final List<Row> ROWS = List.of(
    new Row("sim/context-length", "", "context_length", 400, false, "context length", true, 0, 1, false),
    new Row("sim/auth", "", "auth", 401, false, "Missing Authentication header", true, 0, 1, false),
    new Row("sim/payment", "", "payment_required", 402, false, "insufficient credits", true, 0, 1, false),
    new Row("sim/forbidden", "", "forbidden", 403, false, "flagged by moderation", true, 0, 1, false),
    new Row("sim/rate-limit", "[sim retryAfter=0]", "rate_limit", 429, true, "rate limit", true, 0, 2, false),
    new Row("sim/server-error", "", "upstream_unavailable", 502, true, "status 500", true, 0, 2, false),
    new Row("sim/bad-gateway", "", "upstream_unavailable", 502, true, "Provider returned error", true, 0, 2, false),
    new Row("sim/unavailable", "[sim retryAfter=0]", "upstream_unavailable", 503, true, "No endpoints", true, 0, 2, false),
    new Row("sim/hang", "", "timeout", 504, true, "did not answer in time", true, 0, 2, true),
    new Row("sim/midstream-error", "[sim tokens=6 errorAt=3]", "rate_limit", 429, true, "rate limit", false, 3, 1, false),
    new Row("sim/midstream-error-done", "[sim tokens=6 errorAt=3]", "rate_limit", 429, true, "rate limit", false, 3, 1, false),
    new Row("sim/midstream-error-empty", "[sim tokens=6 errorAt=2]", "upstream_unavailable", 502, true,
      "Internal provider error", false, 2, 1, false),
    new Row("sim/malformed", "[sim tokens=6 errorAt=4]", "upstream_protocol", 502, true, "Malformed upstream stream", false, 4,
      1, false),
    new Row("sim/truncated", "[sim tokens=6 errorAt=5]", "upstream_protocol", 502, true, "ended before the answer", false, 5, 1,
      false),
    new Row("sim/reset", "[sim tokens=6 errorAt=2]", "upstream_unavailable", 502, true, "closed", false, 2, 1, false),
    new Row("sim/stall", "[sim tokens=6 errorAt=2 paceMs=1]", "timeout", 504, true, "sent nothing", false, 2, 1, true),
    new Row("sim/hang-first-token", "", "timeout", 504, true, "No first token", false, 0, 1, true));

  /** The matrix, for {@code @MethodSource}. */
  static List<Row> rows() {
    return ROWS;
  }

  static RelayConfig fastFailing(RelayConfig c) {
    UpstreamConfig u = c.upstream();
    BreakerConfig b = c.breaker();
    return c.withUpstream(u.withInstances(1).withTimeouts(300, 400, 300, u.totalTimeoutMs()))
      .withBreaker(b.withOpening(100, 1000, b.failureWindowMs(), b.resetTimeoutMs()).withRetries(1, 1, 5, 5000));
  }

  private RelayHarness h;

  @BeforeEach
  void startRelay(Vertx vertx) {
    h = RelayHarness.start(vertx, FaultMatrixTest::fastFailing);
  }

  @AfterEach
  void stopRelay() {
    h.stop();
  }

  @ParameterizedTest
  @MethodSource("rows")
  void eventSourceGetReportsEveryFailureAsOneErrorEventOnA200Stream(Row row, Vertx vertx) {
    SseClient.Result result = new SseClient(vertx, h.port)
      .get(SseClient.query(messages(row), new JsonObject().put("model", row.model()).encode())).await();
    assertEquals(200, result.status(), row.model());
    assertStreamEndsWithError(result, row, h);
    assertUpstream(h, row);
  }

  @ParameterizedTest
  @MethodSource("rows")
  void postStreamAnswersFailuresBeforeTheHeadWithARealStatus(Row row, Vertx vertx) {
    SseClient.Result result = new SseClient(vertx, h.port).post("/api/v1/llm/complete/stream", body(row)).await();
    if (row.preHead()) {
      assertJsonError(result, row);
    } else {
      assertEquals(200, result.status(), row.model());
      assertStreamEndsWithError(result, row, h);
    }
    assertUpstream(h, row);
  }

  @ParameterizedTest
  @MethodSource("rows")
  void nonStreamingCompletionAnswersEveryFailureWithARealStatus(Row row, Vertx vertx) {
    SseClient.Result result = new SseClient(vertx, h.port).post("/api/v1/llm/complete", body(row)).await();
    assertJsonError(result, row);
    assertUpstream(h, row);
  }

  @ParameterizedTest
  @ValueSource(strings = {"sim/no-done", "sim/keepalive"})
  void streamsThatEndWithoutDoneOrWithKeepAlivesStillSucceedOnEveryEndpoint(String model, Vertx vertx) {
    SseClient client = new SseClient(vertx, h.port);
    String messages = SseClient.userMessages("go [sim tokens=12 paceMs=1 keepalives=3]");
    String body = new JsonObject().put("messages", new JsonArray(messages))
      .put("options", new JsonObject().put("model", model)).encode();
    String expected = "The quick brown fox jumps over the lazy dog. Streams carry tokens ";

    SseClient.Result get = client.get(SseClient.query(messages, new JsonObject().put("model", model).encode())).await();
    SseClient.Result post = client.post("/api/v1/llm/complete/stream", body).await();
    SseClient.Result whole = client.post("/api/v1/llm/complete", body).await();

    for (SseClient.Result streamed : List.of(get, post)) {
      assertEquals(expected, streamed.text(), model);
      assertEquals("[DONE]", streamed.last().json().getString("text"));
      assertTrue(streamed.events().stream().noneMatch(e -> e.event().equals("error")));
    }
    assertEquals(expected, new JsonObject(whole.body()).getString("text"));
    assertEquals(3, h.simulator.stats().requests());
  }

  private static void assertStreamEndsWithError(SseClient.Result result, Row row, RelayHarness h) {
    List<SseEvent> events = result.events();
    assertEquals(row.tokensFirst() + 1, events.size(), row.model() + ": " + events);
    StringBuilder expectedText = new StringBuilder();
    String[] words = {"The ", "quick ", "brown ", "fox ", "jumps ", "over "};
    for (int i = 0; i < row.tokensFirst(); i++) {
      SseEvent event = events.get(i);
      assertEquals("message", event.event(), row.model());
      assertEquals(Integer.toString(i + 1), event.id());
      expectedText.append(words[i]);
    }
    assertEquals(expectedText.toString(), result.text(), row.model());
    SseEvent error = result.last();
    assertEquals("error", error.event(), row.model());
    assertEquals(Integer.toString(row.tokensFirst() + 1), error.id());
    assertError(error.json(), row);
    assertFalse(result.body().contains("\"text\":\"[DONE]\""), row.model() + ": no [DONE] after an error");
    // Nothing of a partial upstream event leaks into the error event.
    assertFalse(error.data().contains("oops"), row.model());
  }

  private static void assertJsonError(SseClient.Result result, Row row) {
    assertEquals(row.status(), result.status(), row.model() + ": " + result.body());
    assertEquals("application/json", result.contentType(), row.model());
    assertError(new JsonObject(result.body()), row);
  }

  private static void assertError(JsonObject json, Row row) {
    assertEquals(row.type(), json.getString("type"), row.model() + ": " + json);
    assertEquals(row.status(), json.getInteger("status"), row.model());
    assertEquals(row.retryable(), json.getBoolean("retryable"), row.model());
    assertTrue(json.getString("error").toLowerCase().contains(row.words().toLowerCase()),
      row.model() + ": '" + json.getString("error") + "' lacks '" + row.words() + "'");
    if (row.model().equals("sim/rate-limit") || row.model().equals("sim/unavailable")) {
      assertEquals(0, json.getLong("retryAfterMs"), row.model());
    } else {
      assertNull(json.getValue("retryAfterMs"), row.model());
    }
  }

  /** No stream state left, the upstream called {@code row.requests()} times and closed by the relay when it had to be. */
  static void assertUpstream(RelayHarness h, Row row) {
    Await.until(() -> h.relay.health().openStreams() == 0 && h.relay.health().clientStreams() == 0, 2000,
      row.model() + ": no stream state left");
    assertEquals(row.requests(), h.simulator.stats().requests(), row.model() + ": upstream requests");
    if (row.aborted()) {
      Await.until(() -> h.simulator.stats().aborted() == row.requests(), 1000, row.model() + ": upstream closed");
    } else {
      assertEquals(0, h.simulator.stats().aborted(), row.model());
    }
  }

  private static String messages(Row row) {
    return SseClient.userMessages("hello " + row.directive());
  }

  private static String body(Row row) {
    return new JsonObject().put("messages", new JsonArray(messages(row)))
      .put("options", new JsonObject().put("model", row.model())).encode();
  }
}
