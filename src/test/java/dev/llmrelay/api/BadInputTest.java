package dev.llmrelay.api;

import dev.llmrelay.testing.RelayHarness;
import dev.llmrelay.testing.SseClient;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every bad request is a 400 naming the field, on every endpoint, and nothing reaches the upstream. */
@ExtendWith(VertxExtension.class)
class BadInputTest {

  private static final String OK_MESSAGES = "[{\"role\":\"user\",\"content\":\"hi\"}]";

  /** messages JSON, options JSON (or null) → the field the error must name. */
  private static Map<String[], String> cases() {
    Map<String[], String> cases = new LinkedHashMap<>();
    cases.put(new String[] {"not json", null}, "messages");
    cases.put(new String[] {"{\"role\":\"user\"}", null}, "messages");
    cases.put(new String[] {"[]", null}, "messages");
    cases.put(new String[] {"[1]", null}, "messages[0]");
    cases.put(new String[] {"[{\"role\":\"wizard\",\"content\":\"hi\"}]", null}, "messages[0].role");
    cases.put(new String[] {"[{\"role\":\"user\"}]", null}, "messages[0].content");
    cases.put(new String[] {"[{\"role\":\"user\",\"content\":42}]", null}, "messages[0].content");
    cases.put(new String[] {"[{\"role\":\"user\",\"content\":\"a\",\"mood\":\"x\"}]", null}, "messages[0].mood");
    cases.put(new String[] {"[{\"role\":\"user\",\"content\":[{\"type\":\"video\"}]}]", null}, "messages[0].content[0].type");
    cases.put(new String[] {"[{\"role\":\"tool\",\"content\":\"r\"}]", null}, "messages[0].tool_call_id");
    cases.put(new String[] {OK_MESSAGES, "[1]"}, "options");
    cases.put(new String[] {OK_MESSAGES, "{oops"}, "options");
    cases.put(new String[] {OK_MESSAGES, "{\"temprature\":1}"}, "options.temprature");
    cases.put(new String[] {OK_MESSAGES, "{\"temperature\":\"hot\"}"}, "options.temperature");
    cases.put(new String[] {OK_MESSAGES, "{\"temperature\":2.5}"}, "options.temperature");
    cases.put(new String[] {OK_MESSAGES, "{\"maxTokens\":0}"}, "options.maxTokens");
    cases.put(new String[] {OK_MESSAGES, "{\"maxTokens\":1.5}"}, "options.maxTokens");
    cases.put(new String[] {OK_MESSAGES, "{\"topP\":-0.1}"}, "options.topP");
    cases.put(new String[] {OK_MESSAGES, "{\"model\":\"\"}"}, "options.model");
    cases.put(new String[] {OK_MESSAGES, "{\"models\":[\"a/b\",3]}"}, "options.models[1]");
    cases.put(new String[] {OK_MESSAGES, "{\"stop\":[\"a\",\"b\",\"c\",\"d\",\"e\"]}"}, "options.stop");
    cases.put(new String[] {OK_MESSAGES, "{\"responseFormat\":{\"type\":\"xml\"}}"}, "options.responseFormat.type");
    cases.put(new String[] {OK_MESSAGES, "{\"responseFormat\":{\"type\":\"json_schema\"}}"}, "options.responseFormat.schema");
    cases.put(new String[] {OK_MESSAGES, "{\"responseFormat\":{\"type\":\"json_schema\",\"schema\":{},\"strict\":\"yes\"}}"},
      "options.responseFormat.strict");
    return cases;
  }

  @Test
  void everyBadQueryIs400NamingTheFieldOnGet(Vertx vertx) {
    RelayHarness h = RelayHarness.start(vertx);
    SseClient client = new SseClient(vertx, h.port);
    for (Map.Entry<String[], String> c : cases().entrySet()) {
      SseClient.Result result = client.get(SseClient.query(c.getKey()[0], c.getKey()[1])).await();
      assertBadRequest(result, c.getValue());
    }
    SseClient.Result missing = client.get("/api/v1/llm/complete/stream").await();
    assertBadRequest(missing, "messages");
    assertEquals(0, h.simulator.stats().requests());
  }

  @ParameterizedTest
  @ValueSource(strings = {"/api/v1/llm/complete/stream", "/api/v1/llm/complete"})
  void everyBadBodyIs400NamingTheFieldOnBothPostEndpoints(String endpoint, Vertx vertx) {
    RelayHarness h = RelayHarness.start(vertx);
    SseClient client = new SseClient(vertx, h.port);
    for (Map.Entry<String[], String> c : cases().entrySet()) {
      String body = "{\"messages\":" + c.getKey()[0] + (c.getKey()[1] == null ? "" : ",\"options\":" + c.getKey()[1]) + "}";
      boolean bodyIsJson = !c.getKey()[0].equals("not json") && !"{oops".equals(c.getKey()[1]);
      assertBadRequest(client.post(endpoint, body).await(), bodyIsJson ? c.getValue() : "body");
    }
    assertBadRequest(client.post(endpoint, "").await(), "body");
    assertBadRequest(client.post(endpoint, "[1,2]").await(), "body");
    assertBadRequest(client.post(endpoint, "{\"messages\":" + OK_MESSAGES + ",\"extra\":1}").await(), "extra");
    assertEquals(0, h.simulator.stats().requests());
  }

  @Test
  void overLongUrlIs414PointingToPostAndOverLargeBodyIs413(Vertx vertx) {
    RelayHarness h = RelayHarness.start(vertx);
    SseClient client = new SseClient(vertx, h.port);
    String longText = "x".repeat(300_000);
    SseClient.Result tooLong = client.get(SseClient.query(SseClient.userMessages(longText), null)).await();
    assertEquals(414, tooLong.status());
    JsonObject error = new JsonObject(tooLong.body());
    assertEquals("bad_request", error.getString("type"));
    assertTrue(error.getString("error").contains("POST /api/v1/llm/complete/stream"), error.getString("error"));

    String fits = "y".repeat(100_000);
    SseClient.Result longButFine = client.get(SseClient.query(SseClient.userMessages(fits + " [sim tokens=3 paceMs=0]"), null))
      .await();
    assertEquals(200, longButFine.status());
    assertEquals("[DONE]", longButFine.last().json().getString("text"));

    String huge = "{\"messages\":[{\"role\":\"user\",\"content\":\"" + "z".repeat(5 * 1024 * 1024) + "\"}]}";
    SseClient.Result tooLarge = client.post("/api/v1/llm/complete/stream", huge).await();
    assertEquals(413, tooLarge.status());
    assertEquals("bad_request", new JsonObject(tooLarge.body()).getString("type"));
    assertEquals(1, h.simulator.stats().requests(), "only the request that fitted went upstream");
  }

  private static void assertBadRequest(SseClient.Result result, String field) {
    assertEquals(400, result.status(), result.body());
    assertEquals("application/json", result.contentType());
    JsonObject error = new JsonObject(result.body());
    assertEquals("bad_request", error.getString("type"));
    assertEquals(field, error.getString("field"), result.body());
    assertTrue(error.getString("error").startsWith(field + ": "), result.body());
    assertEquals(false, error.getBoolean("retryable"));
  }
}
