package dev.llmrelay.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.openai.client.OpenAIClient;
import com.openai.core.JsonValue;
import com.openai.core.ObjectMappers;
import com.openai.core.http.StreamResponse;
import com.openai.helpers.ResponseAccumulator;
import com.openai.models.responses.EasyInputMessage;
import com.openai.models.responses.FunctionTool;
import com.openai.models.responses.Response;
import com.openai.models.responses.ResponseCreateParams;
import com.openai.models.responses.ResponseFormatTextJsonSchemaConfig;
import com.openai.models.responses.ResponseFunctionToolCall;
import com.openai.models.responses.ResponseInputItem;
import com.openai.models.responses.ResponseOutputItem;
import com.openai.models.responses.ResponseStatus;
import com.openai.models.responses.ResponseStreamEvent;
import com.openai.models.responses.ResponseTextConfig;
import com.openai.models.responses.ResponseUsage;
import dev.llmrelay.simulator.SimStream;
import dev.llmrelay.testing.Await;
import dev.llmrelay.testing.OpenAiSdk;
import dev.llmrelay.testing.RelayHarness;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code POST /v1/responses} as the official OpenAI Java SDK's {@code responses()} sees it, relay in front of
 * the simulator: streamed and whole answers, usage, the request's translation, a function-call round trip,
 * structured output and cancellation.
 */
@ExtendWith(VertxExtension.class)
class ResponsesSdkTest {

  private static final Map<String, Object> FORECAST = Map.of("type", "object",
    "properties", Map.of("city", Map.of("type", "string"), "high", Map.of("type", "integer")),
    "required", List.of("city", "high"), "additionalProperties", false);

  @Test
  void streamedTextIsTheUpstreamsExactlyInTheResponsesEventSequenceWithUsage(Vertx vertx) {
    RelayHarness h = RelayHarness.start(vertx);
    OpenAIClient client = OpenAiSdk.client(h.port);
    ResponseCreateParams params = OpenAiSdk.respond("openai/gpt-4o",
      "Tell me a story [sim tokens=300 split=3 crlf multibyte keepalives=2 paceMs=0]").build();

    List<String> types = new ArrayList<>();
    ResponseAccumulator accumulator = ResponseAccumulator.create();
    StringBuilder streamed = new StringBuilder();
    String done = null;
    try (StreamResponse<ResponseStreamEvent> stream = client.responses().createStreaming(params)) {
      for (Iterator<ResponseStreamEvent> it = stream.stream().iterator(); it.hasNext(); ) {
        ResponseStreamEvent event = accumulator.accumulate(it.next());
        types.add(type(event));
        if (event.isOutputTextDelta()) {
          streamed.append(event.asOutputTextDelta().delta());
        } else if (event.isOutputTextDone()) {
          done = event.asOutputTextDone().text();
        }
      }
    } finally {
      client.close();
    }

    SimStream upstream = h.simulator.stats().streams().get(0);
    assertEquals(300, upstream.written());
    assertEquals(upstream.text(), streamed.toString());
    assertEquals(upstream.text(), done);
    assertTrue(streamed.toString().contains("日本語") && streamed.toString().contains("𝄞"));
    List<String> expected = new ArrayList<>(List.of("created", "in_progress", "output_item.added", "content_part.added"));
    expected.addAll(Collections.nCopies(300, "output_text.delta"));
    expected.addAll(List.of("output_text.done", "content_part.done", "output_item.done", "completed"));
    assertEquals(expected, types);
    Response response = accumulator.response();
    assertTrue(response.id().matches("resp_[0-9a-f]{48}"), response.id());
    assertEquals(ResponseStatus.COMPLETED, response.status().orElseThrow());
    assertEquals("openai/gpt-4o", response.model().asString());
    assertEquals(1, response.output().size());
    assertEquals(upstream.text(), response.output().get(0).asMessage().content().get(0).asOutputText().text());
    ResponseUsage usage = response.usage().orElseThrow();
    assertEquals(17, usage.inputTokens());
    assertEquals(300, usage.outputTokens());
    assertEquals(317, usage.totalTokens());
  }

  @Test
  void aWholeResponseAndTheRequestTranslatedFieldByField(Vertx vertx) {
    RelayHarness h = RelayHarness.start(vertx);
    OpenAIClient client = OpenAiSdk.client(h.port);
    ResponseCreateParams params = OpenAiSdk.respond("anthropic/claude-3.5-sonnet", "hi [sim tokens=9 paceMs=1]")
      .instructions("Be brief.")
      .maxOutputTokens(100)
      .temperature(0.25)
      .topP(0.5)
      .store(false)
      .putAdditionalBodyProperty("user", JsonValue.from("user-42"))
      .build();

    Response answer;
    try {
      answer = client.responses().create(params);
    } finally {
      client.close();
    }

    assertTrue(answer.id().matches("resp_[0-9a-f]{48}"), answer.id());
    assertEquals(ResponseStatus.COMPLETED, answer.status().orElseThrow());
    assertEquals("anthropic/claude-3.5-sonnet", answer.model().asString());
    assertEquals("Be brief.", answer.instructions().orElseThrow().asString());
    assertEquals(100, answer.maxOutputTokens().orElseThrow());
    assertEquals(0.25, answer.temperature().orElseThrow());
    assertEquals(1, answer.output().size());
    assertEquals("The quick brown fox jumps over the lazy dog. ",
      answer.output().get(0).asMessage().content().get(0).asOutputText().text());
    ResponseUsage usage = answer.usage().orElseThrow();
    assertEquals(17, usage.inputTokens());
    assertEquals(9, usage.outputTokens());
    assertEquals(26, usage.totalTokens());
    assertEquals(1, h.simulator.stats().requests());
    JsonObject expected = new JsonObject()
      .put("model", "anthropic/claude-3.5-sonnet")
      .put("messages", new JsonArray()
        .add(new JsonObject().put("role", "system").put("content", "Be brief."))
        .add(new JsonObject().put("role", "user").put("content", "hi [sim tokens=9 paceMs=1]")))
      .put("max_tokens", 100)
      .put("temperature", 0.25).put("top_p", 0.5)
      .put("user", "user-42")
      .put("stream", true)
      .put("stream_options", new JsonObject().put("include_usage", true));
    assertEquals(expected, h.simulator.stats().bodies().get(0));
  }

  @Test
  void functionCallsStreamAsFunctionCallItemsAndTheOutputsGoBackAsToolMessages(Vertx vertx) {
    RelayHarness h = RelayHarness.start(vertx);
    OpenAIClient client = OpenAiSdk.client(h.port);
    ResponseCreateParams params = OpenAiSdk.respond("sim/tools", "Weather in Paris, and the time? [sim paceMs=0]")
      .addTool(function("get_weather", Map.of(
        "location", Map.of("type", "string"),
        "unit", Map.of("type", "string", "enum", List.of("celsius", "fahrenheit")))))
      .addTool(function("get_time", Map.of("timezone", Map.of("type", "string"))))
      .build();

    ResponseAccumulator accumulator = ResponseAccumulator.create();
    int weatherFragments = 0;
    Response whole;
    Response answer;
    try {
      try (StreamResponse<ResponseStreamEvent> stream = client.responses().createStreaming(params)) {
        for (Iterator<ResponseStreamEvent> it = stream.stream().iterator(); it.hasNext(); ) {
          ResponseStreamEvent event = accumulator.accumulate(it.next());
          if (event.isFunctionCallArgumentsDelta() && event.asFunctionCallArgumentsDelta().outputIndex() == 0) {
            weatherFragments++;
          }
        }
      }
      whole = client.responses().create(params);
      List<ResponseInputItem> input = new ArrayList<>();
      input.add(ResponseInputItem.ofEasyInputMessage(EasyInputMessage.builder().role(EasyInputMessage.Role.USER)
        .content("Weather in Paris, and the time? [sim paceMs=0]").build()));
      List<ResponseFunctionToolCall> calls = whole.output().stream().map(ResponseOutputItem::asFunctionCall).toList();
      calls.forEach(call -> input.add(ResponseInputItem.ofFunctionCall(call)));
      input.add(ResponseInputItem.ofFunctionCallOutput(ResponseInputItem.FunctionCallOutput.builder()
        .callId(calls.get(0).callId()).output("18°C, sunny").build()));
      input.add(ResponseInputItem.ofFunctionCallOutput(ResponseInputItem.FunctionCallOutput.builder()
        .callId(calls.get(1).callId()).output("14:05").build()));
      answer = client.responses().create(params.toBuilder().model("openai/gpt-4o").inputOfResponse(input).build());
    } finally {
      client.close();
    }

    String weatherArgs = new JsonObject().put("location", "example").put("unit", "celsius").encode();
    assertEquals((weatherArgs.length() + 3) / 4, weatherFragments, "arguments arrive in 4-character fragments");
    for (Response response : List.of(accumulator.response(), whole)) {
      assertEquals(ResponseStatus.COMPLETED, response.status().orElseThrow());
      assertEquals(2, response.output().size(), response.toString());
      ResponseFunctionToolCall weather = response.output().get(0).asFunctionCall();
      ResponseFunctionToolCall time = response.output().get(1).asFunctionCall();
      assertEquals("get_weather", weather.name());
      assertEquals(new JsonObject(weatherArgs), new JsonObject(weather.arguments()));
      assertEquals("get_time", time.name());
      assertEquals(new JsonObject().put("timezone", "example"), new JsonObject(time.arguments()));
      assertTrue(weather.callId().startsWith("call_0_") && time.callId().startsWith("call_1_"));
      assertTrue(weather.id().orElseThrow().matches("fc_[0-9a-f]{48}"));
    }
    assertEquals("The quick brown fox jumps over the lazy dog. Streams carry tokens ",
      answer.output().get(0).asMessage().content().get(0).asOutputText().text());

    JsonObject first = h.simulator.stats().bodies().get(0);
    assertEquals(new JsonObject().put("type", "function").put("function", new JsonObject().put("name", "get_time")
        .put("description", "Looks up time").put("parameters", new JsonObject().put("type", "object")
          .put("properties", new JsonObject().put("timezone", new JsonObject().put("type", "string")))
          .put("required", new JsonArray().add("timezone")))
        .put("strict", false)),
      first.getJsonArray("tools").getJsonObject(1));
    JsonArray messages = h.simulator.stats().bodies().get(2).getJsonArray("messages");
    assertEquals(4, messages.size(), messages.encodePrettily());
    ResponseFunctionToolCall weather = whole.output().get(0).asFunctionCall();
    ResponseFunctionToolCall time = whole.output().get(1).asFunctionCall();
    assertEquals(new JsonObject().put("role", "assistant").putNull("content").put("tool_calls", new JsonArray()
        .add(toolCall(weather.callId(), "get_weather", weather.arguments()))
        .add(toolCall(time.callId(), "get_time", time.arguments()))),
      messages.getJsonObject(1));
    assertEquals(new JsonObject().put("role", "tool").put("tool_call_id", weather.callId()).put("content", "18°C, sunny"),
      messages.getJsonObject(2));
    assertEquals(new JsonObject().put("role", "tool").put("tool_call_id", time.callId()).put("content", "14:05"),
      messages.getJsonObject(3));
    assertEquals(3, h.simulator.stats().completed());
  }

  @Test
  void aJsonSchemaFormatIsTheRelaysStructuredOutputWithItsCheck(Vertx vertx) throws JsonProcessingException {
    RelayHarness h = RelayHarness.start(vertx);
    OpenAIClient client = OpenAiSdk.client(h.port);
    ResponseFormatTextJsonSchemaConfig.Schema.Builder schema = ResponseFormatTextJsonSchemaConfig.Schema.builder();
    FORECAST.forEach((key, value) -> schema.putAdditionalProperty(key, JsonValue.from(value)));
    ResponseTextConfig text = ResponseTextConfig.builder().format(ResponseFormatTextJsonSchemaConfig.builder()
      .name("forecast").schema(schema.build()).strict(true).build()).build();

    Response valid;
    Response invalid;
    try {
      valid = client.responses().create(OpenAiSdk.respond("openai/gpt-4o", "Forecast? [sim paceMs=0]").text(text).build());
      invalid = client.responses().create(OpenAiSdk.respond("sim/json-invalid", "Forecast? [sim paceMs=0]")
        .text(text).build());
    } finally {
      client.close();
    }

    String answer = valid.output().get(0).asMessage().content().get(0).asOutputText().text();
    assertEquals(new JsonObject().put("city", "example").put("high", 21), new JsonObject(answer));
    assertEquals(new JsonObject().put("valid", true).put("errors", new JsonArray()), validation(valid));
    JsonObject broken = validation(invalid);
    assertEquals(false, broken.getBoolean("valid"));
    assertTrue(!broken.getJsonArray("errors").isEmpty(), broken.encode());
    assertEquals(new JsonObject().put("type", "json_schema").put("json_schema", new JsonObject().put("name", "forecast")
        .put("schema", new JsonObject(io.vertx.core.json.Json.encode(FORECAST))).put("strict", true)),
      h.simulator.stats().bodies().get(0).getJsonObject("response_format"));
  }

  @Test
  void closingTheSdkStreamEarlyAbortsTheUpstream(Vertx vertx) {
    RelayHarness h = RelayHarness.start(vertx);
    OpenAIClient client = OpenAiSdk.client(h.port);
    ResponseCreateParams params = OpenAiSdk.respond("openai/gpt-4o", "long story [sim tokens=2000 paceMs=20]").build();

    StringBuilder received = new StringBuilder();
    try (StreamResponse<ResponseStreamEvent> stream = client.responses().createStreaming(params)) {
      Iterator<ResponseStreamEvent> it = stream.stream().iterator();
      while (received.length() < "The quick brown ".length()) {
        ResponseStreamEvent event = it.next();
        if (event.isOutputTextDelta()) {
          received.append(event.asOutputTextDelta().delta());
        }
      }
    } finally {
      client.close();
    }

    assertEquals("The quick brown ", received.toString());
    Await.until(() -> h.simulator.stats().aborted() == 1, 5000, "the simulator counts the relay's abort");
    SimStream upstream = h.simulator.stats().streams().get(0);
    assertTrue(upstream.aborted());
    assertTrue(upstream.written() < 2000, "tokens written before the abort: " + upstream.written());
    assertEquals(0, h.simulator.stats().completed());
  }

  static String type(ResponseStreamEvent event) {
    if (event.isCreated()) {
      return "created";
    } else if (event.isInProgress()) {
      return "in_progress";
    } else if (event.isOutputItemAdded()) {
      return "output_item.added";
    } else if (event.isContentPartAdded()) {
      return "content_part.added";
    } else if (event.isOutputTextDelta()) {
      return "output_text.delta";
    } else if (event.isOutputTextDone()) {
      return "output_text.done";
    } else if (event.isContentPartDone()) {
      return "content_part.done";
    } else if (event.isOutputItemDone()) {
      return "output_item.done";
    } else if (event.isCompleted()) {
      return "completed";
    } else if (event.isFailed()) {
      return "failed";
    }
    return "unknown";
  }

  private static FunctionTool function(String name, Map<String, Object> properties) {
    return FunctionTool.builder().name(name).description("Looks up " + name.substring(4)).strict(false)
      .parameters(FunctionTool.Parameters.builder()
        .putAdditionalProperty("type", JsonValue.from("object"))
        .putAdditionalProperty("properties", JsonValue.from(properties))
        .putAdditionalProperty("required", JsonValue.from(properties.keySet().stream().sorted().toList()))
        .build())
      .build();
  }

  private static JsonObject toolCall(String id, String name, String arguments) {
    return new JsonObject().put("id", id).put("type", "function")
      .put("function", new JsonObject().put("name", name).put("arguments", arguments));
  }

  private static JsonObject validation(Response response) throws JsonProcessingException {
    return new JsonObject(ObjectMappers.jsonMapper().writeValueAsString(response._additionalProperties().get("validation")));
  }
}
