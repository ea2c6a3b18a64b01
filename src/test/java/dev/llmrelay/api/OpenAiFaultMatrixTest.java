package dev.llmrelay.api;

import dev.llmrelay.testing.RelayHarness;
import dev.llmrelay.testing.SseClient;
import dev.llmrelay.testing.SseEvent;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link FaultMatrixTest}'s scenarios through {@code POST /v1/chat/completions}: failures before the
 * upstream's head (and every failure of a non-streaming call) as a real status with an OpenAI error
 * body; failures after it as the chunks seen so far, then one {@code data: {"error": ...}} event and
 * no {@code [DONE]}.
 */
@ExtendWith(VertxExtension.class)
class OpenAiFaultMatrixTest {

  /** The relay type to OpenAI's {@code type} and {@code code}, as the README documents it. */
  private static final Map<String, List<String>> OPENAI = Map.of(
    "context_length", List.of("invalid_request_error", "context_length_exceeded"),
    "auth", List.of("authentication_error", "invalid_api_key"),
    "payment_required", List.of("insufficient_quota", "insufficient_quota"),
    "forbidden", List.of("permission_error", "forbidden"),
    "rate_limit", List.of("rate_limit_error", "rate_limit_exceeded"),
    "timeout", List.of("timeout_error", "timeout"),
    "upstream_unavailable", List.of("server_error", "upstream_unavailable"),
    "upstream_protocol", List.of("server_error", "upstream_protocol"));

  @ParameterizedTest
  @MethodSource("dev.llmrelay.api.FaultMatrixTest#rows")
  void streamingCallsReportFailuresByStatusBeforeTheHeadAndAsOneErrorEventAfter(FaultMatrixTest.Row row, Vertx vertx) {
    RelayHarness h = RelayHarness.start(vertx, FaultMatrixTest::fastFailing);
    SseClient.Result result = new SseClient(vertx, h.port).post("/v1/chat/completions", body(row, true)).await();
    if (row.preHead()) {
      assertJsonError(result, row);
    } else {
      assertEquals(200, result.status(), row.model());
      List<SseEvent> events = result.events();
      // the upstream's role-only chunk, the tokens, the error
      assertEquals(row.tokensFirst() + 2, events.size(), row.model() + ": " + result.body());
      StringBuilder text = new StringBuilder();
      for (SseEvent chunk : events.subList(0, events.size() - 1)) {
        JsonObject delta = chunk.json().getJsonArray("choices").getJsonObject(0).getJsonObject("delta");
        text.append(delta.getString("content", ""));
      }
      assertEquals(String.join("", List.of("The ", "quick ", "brown ", "fox ", "jumps ").subList(0, row.tokensFirst())),
        text.toString(), row.model());
      assertError(result.last().json(), row);
      assertTrue(events.stream().noneMatch(e -> e.data().equals("[DONE]")), row.model() + ": no [DONE] after an error");
      assertFalse(result.last().data().contains("oops"), row.model());
    }
    FaultMatrixTest.assertUpstream(h, row);
    h.stop();
  }

  @ParameterizedTest
  @MethodSource("dev.llmrelay.api.FaultMatrixTest#rows")
  void nonStreamingCallsAnswerEveryFailureWithARealStatus(FaultMatrixTest.Row row, Vertx vertx) {
    RelayHarness h = RelayHarness.start(vertx, FaultMatrixTest::fastFailing);
    SseClient.Result result = new SseClient(vertx, h.port).post("/v1/chat/completions", body(row, false)).await();
    assertJsonError(result, row);
    FaultMatrixTest.assertUpstream(h, row);
    h.stop();
  }

  private static void assertJsonError(SseClient.Result result, FaultMatrixTest.Row row) {
    assertEquals(row.status(), result.status(), row.model() + ": " + result.body());
    assertEquals("application/json", result.contentType(), row.model());
    assertError(new JsonObject(result.body()), row);
  }

  private static void assertError(JsonObject json, FaultMatrixTest.Row row) {
    assertEquals(1, json.size(), row.model() + ": " + json);
    JsonObject error = json.getJsonObject("error");
    assertEquals(4, error.size(), row.model() + ": " + error);
    assertEquals(OPENAI.get(row.type()).get(0), error.getString("type"), row.model());
    assertEquals(OPENAI.get(row.type()).get(1), error.getString("code"), row.model());
    assertEquals(row.type().equals("context_length") ? "messages" : null, error.getString("param"), row.model());
    assertTrue(error.getString("message").toLowerCase().contains(row.words().toLowerCase()),
      row.model() + ": '" + error.getString("message") + "' lacks '" + row.words() + "'");
    assertNull(json.getValue("retryAfterMs"));
  }

  private static String body(FaultMatrixTest.Row row, boolean stream) {
    return new JsonObject().put("model", row.model()).put("stream", stream)
      .put("messages", new JsonArray(SseClient.userMessages("hello " + row.directive()))).encode();
  }
}
