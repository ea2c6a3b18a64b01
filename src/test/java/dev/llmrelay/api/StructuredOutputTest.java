package dev.llmrelay.api;

import dev.llmrelay.testing.RelayHarness;
import dev.llmrelay.testing.SseClient;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/** The relay's own check of json_schema answers, reported in the final event of every endpoint. */
@ExtendWith(VertxExtension.class)
class StructuredOutputTest {

  private static final JsonObject WEATHER = new JsonObject("""
    {"type": "object",
     "properties": {
       "location": {"type": "string"},
       "temperature": {"type": "number"},
       "humidity": {"type": "integer", "minimum": 0, "maximum": 100},
       "forecast": {"type": "array", "items": {"type": "object",
         "properties": {"day": {"type": "string"}, "high": {"type": "number"}}, "required": ["day", "high"]}}
     },
     "required": ["location", "temperature"],
     "additionalProperties": false}""");

  private static String options(String model) {
    return new JsonObject().put("model", model).put("responseFormat",
      new JsonObject().put("type", "json_schema").put("name", "weather").put("strict", true).put("schema", WEATHER))
      .encode();
  }

  @Test
  void aConformingStreamedAnswerIsReportedValidInTheDoneEvent(Vertx vertx) {
    RelayHarness h = RelayHarness.start(vertx);
    SseClient client = new SseClient(vertx, h.port);

    SseClient.Result result = client.get(SseClient.query(SseClient.userMessages("Weather in Oslo? [sim paceMs=0]"),
      options("openai/gpt-4o"))).await();

    assertEquals(h.simulator.stats().streams().get(0).text(), result.text());
    assertEquals(new JsonObject().put("location", "example").put("temperature", 21.5).put("humidity", 0)
      .put("forecast", new JsonArray().add(new JsonObject().put("day", "example").put("high", 21.5))),
      new JsonObject(result.text()));
    JsonObject metadata = result.last().json().getJsonObject("metadata");
    assertEquals("[DONE]", result.last().json().getString("text"));
    assertEquals(new JsonObject().put("valid", true).put("errors", new JsonArray()), metadata.getJsonObject("validation"));
  }

  @Test
  void aBrokenAnswerListsItsErrorsOverGetPostAndNonStreaming(Vertx vertx) {
    RelayHarness h = RelayHarness.start(vertx);
    SseClient client = new SseClient(vertx, h.port);
    String messages = SseClient.userMessages("Weather in Oslo? [sim paceMs=0]");
    String body = new JsonObject().put("messages", new JsonArray(messages))
      .put("options", new JsonObject(options("sim/json-invalid"))).encode();
    List<String> expected = List.of(
      "$.temperature: string found, number expected",
      "$.humidity: string found, integer expected",
      "$.forecast[0].high: string found, number expected",
      "$.forecast[0]: required property 'day' not found",
      "$: required property 'location' not found");

    SseClient.Result get = client.get(SseClient.query(messages, options("sim/json-invalid"))).await();
    SseClient.Result post = client.post("/api/v1/llm/complete/stream", body).await();
    SseClient.Result whole = client.post("/api/v1/llm/complete", body).await();

    for (JsonObject metadata : List.of(get.last().json().getJsonObject("metadata"),
      post.last().json().getJsonObject("metadata"), new JsonObject(whole.body()).getJsonObject("metadata"))) {
      assertFalse(metadata.getJsonObject("validation").getBoolean("valid"));
      assertEquals(expected, metadata.getJsonObject("validation").getJsonArray("errors").getList());
    }
  }

  @Test
  void withoutASchemaTheDoneEventCarriesNoValidation(Vertx vertx) {
    RelayHarness h = RelayHarness.start(vertx);
    SseClient client = new SseClient(vertx, h.port);

    SseClient.Result result = client.get(SseClient.query(SseClient.userMessages("hi [sim tokens=3 paceMs=0]"),
      new JsonObject().put("responseFormat", new JsonObject().put("type", "json_object")).encode())).await();

    JsonObject metadata = result.last().json().getJsonObject("metadata");
    assertEquals(List.of("model", "provider", "timestamp", "finishReason", "usage", "cost"), List.copyOf(metadata.fieldNames()));
  }

  @Test
  void aSchemaThatReachesOutsideItselfIsABadRequestAndNothingGoesUpstream(Vertx vertx) {
    RelayHarness h = RelayHarness.start(vertx);
    SseClient client = new SseClient(vertx, h.port);
    String options = new JsonObject().put("responseFormat", new JsonObject().put("type", "json_schema")
      .put("schema", new JsonObject().put("$ref", "http://127.0.0.1:9/weather.json"))).encode();

    SseClient.Result result = client.get(SseClient.query(SseClient.userMessages("hi"), options)).await();

    assertEquals(400, result.status());
    JsonObject error = new JsonObject(result.body());
    assertEquals("bad_request", error.getString("type"));
    assertEquals("options.responseFormat.schema", error.getString("field"));
    assertEquals(0, h.simulator.stats().requests());
  }
}
