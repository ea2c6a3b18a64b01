package dev.llmrelay.api;

import com.anthropic.client.AnthropicClient;
import com.anthropic.core.JsonValue;
import com.anthropic.core.ObjectMappers;
import com.anthropic.core.http.StreamResponse;
import com.anthropic.helpers.MessageAccumulator;
import com.anthropic.models.messages.ContentBlock;
import com.anthropic.models.messages.ContentBlockParam;
import com.anthropic.models.messages.Message;
import com.anthropic.models.messages.MessageCreateParams;
import com.anthropic.models.messages.Metadata;
import com.anthropic.models.messages.RawMessageStreamEvent;
import com.anthropic.models.messages.StopReason;
import com.anthropic.models.messages.Tool;
import com.anthropic.models.messages.ToolResultBlockParam;
import com.anthropic.models.messages.ToolUseBlock;
import com.fasterxml.jackson.core.JsonProcessingException;
import dev.llmrelay.simulator.SimStream;
import dev.llmrelay.testing.AnthropicSdk;
import dev.llmrelay.testing.Await;
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
 * {@code POST /v1/messages} as the official Anthropic Java SDK sees it, relay in front of the simulator:
 * streamed and whole answers, usage, stop reasons, the request's translation, a tool-call round trip and
 * cancellation.
 */
@ExtendWith(VertxExtension.class)
class AnthropicSdkTest {

  @Test
  void streamedTextIsTheUpstreamsExactlyInAnthropicsEventSequenceWithUsage(Vertx vertx) {
    RelayHarness h = RelayHarness.start(vertx);
    AnthropicClient client = AnthropicSdk.client(h.port);
    MessageCreateParams params = AnthropicSdk.ask("openai/gpt-4o",
      "Tell me a story [sim tokens=300 split=3 crlf multibyte keepalives=2 paceMs=0]").build();

    List<String> types = new ArrayList<>();
    MessageAccumulator accumulator = MessageAccumulator.create();
    StringBuilder streamed = new StringBuilder();
    try (StreamResponse<RawMessageStreamEvent> stream = client.messages().createStreaming(params)) {
      stream.stream().forEach(event -> {
        accumulator.accumulate(event);
        types.add(type(event));
        if (event.isContentBlockDelta()) {
          streamed.append(event.asContentBlockDelta().delta().asText().text());
        }
      });
    } finally {
      client.close();
    }

    SimStream upstream = h.simulator.stats().streams().get(0);
    assertEquals(300, upstream.written());
    assertEquals(upstream.text(), streamed.toString());
    assertTrue(streamed.toString().contains("日本語") && streamed.toString().contains("𝄞"));
    List<String> expected = new ArrayList<>(List.of("message_start", "content_block_start"));
    expected.addAll(Collections.nCopies(300, "content_block_delta"));
    expected.addAll(List.of("content_block_stop", "message_delta", "message_stop"));
    assertEquals(expected, types);
    Message message = accumulator.message();
    assertTrue(message.id().matches("msg_[0-9A-Za-z]{24}"), message.id());
    assertEquals("openai/gpt-4o", message.model().asString());
    assertEquals(1, message.content().size());
    assertEquals(upstream.text(), message.content().get(0).asText().text());
    assertEquals(StopReason.END_TURN, message.stopReason().orElseThrow());
    assertTrue(message.stopSequence().isEmpty());
    assertEquals(17, message.usage().inputTokens());
    assertEquals(300, message.usage().outputTokens());
  }

  @Test
  void aWholeMessageAndTheRequestTranslatedFieldByField(Vertx vertx) {
    RelayHarness h = RelayHarness.start(vertx);
    AnthropicClient client = AnthropicSdk.client(h.port);
    MessageCreateParams params = MessageCreateParams.builder()
      .model("anthropic/claude-3.5-sonnet")
      .maxTokens(100)
      .system("Be brief.")
      .addUserMessage("hi [sim tokens=9 paceMs=1]")
      .stopSequences(List.of("\n\nHuman:"))
      .metadata(Metadata.builder().userId("user-42").build())
      // The SDK has no setters for the sampling parameters any more; the API still takes them.
      .putAdditionalBodyProperty("temperature", JsonValue.from(0.25))
      .putAdditionalBodyProperty("top_p", JsonValue.from(0.5))
      .putAdditionalBodyProperty("top_k", JsonValue.from(40))
      .build();

    Message answer;
    try {
      answer = client.messages().create(params);
    } finally {
      client.close();
    }

    assertTrue(answer.id().matches("msg_[0-9A-Za-z]{24}"), answer.id());
    assertEquals("anthropic/claude-3.5-sonnet", answer.model().asString());
    assertEquals(1, answer.content().size());
    assertEquals("The quick brown fox jumps over the lazy dog. ", answer.content().get(0).asText().text());
    assertEquals(StopReason.END_TURN, answer.stopReason().orElseThrow(),
      "a plain stop is end_turn even with stop sequences: the upstream did not say one matched");
    assertEquals(17, answer.usage().inputTokens());
    assertEquals(9, answer.usage().outputTokens());
    assertEquals(1, h.simulator.stats().requests());
    JsonObject expected = new JsonObject()
      .put("model", "anthropic/claude-3.5-sonnet")
      .put("messages", new JsonArray()
        .add(new JsonObject().put("role", "system").put("content", "Be brief."))
        .add(new JsonObject().put("role", "user").put("content", "hi [sim tokens=9 paceMs=1]")))
      .put("max_tokens", 100)
      .put("temperature", 0.25).put("top_p", 0.5).put("top_k", 40)
      .put("stop", new JsonArray().add("\n\nHuman:"))
      .put("user", "user-42")
      .put("stream", true)
      .put("stream_options", new JsonObject().put("include_usage", true));
    assertEquals(expected, h.simulator.stats().bodies().get(0));
  }

  @Test
  void toolCallsStreamAsToolUseBlocksAndTheResultsGoBackAsToolMessages(Vertx vertx) throws JsonProcessingException {
    RelayHarness h = RelayHarness.start(vertx);
    AnthropicClient client = AnthropicSdk.client(h.port);
    MessageCreateParams params = AnthropicSdk.ask("sim/tools", "Weather in Paris, and the time? [sim paceMs=0]")
      .addTool(tool("get_weather", Map.of(
        "location", Map.of("type", "string"),
        "unit", Map.of("type", "string", "enum", List.of("celsius", "fahrenheit")))))
      .addTool(tool("get_time", Map.of("timezone", Map.of("type", "string"))))
      .build();

    MessageAccumulator accumulator = MessageAccumulator.create();
    int weatherFragments = 0;
    Message whole;
    Message answer;
    try {
      try (StreamResponse<RawMessageStreamEvent> stream = client.messages().createStreaming(params)) {
        for (Iterator<RawMessageStreamEvent> it = stream.stream().iterator(); it.hasNext(); ) {
          RawMessageStreamEvent event = accumulator.accumulate(it.next());
          if (event.isContentBlockDelta() && event.asContentBlockDelta().index() == 0) {
            assertTrue(event.asContentBlockDelta().delta().isInputJson());
            weatherFragments++;
          }
        }
      }
      whole = client.messages().create(params);
      List<ToolUseBlock> calls = whole.content().stream().map(ContentBlock::asToolUse).toList();
      answer = client.messages().create(params.toBuilder()
        .model("openai/gpt-4o")
        .addMessage(whole)
        .addUserMessageOfContentBlockParams(List.of(
          toolResult(calls.get(0).id(), "18°C, sunny"),
          toolResult(calls.get(1).id(), "14:05")))
        .build());
    } finally {
      client.close();
    }

    String weatherArgs = new JsonObject().put("location", "example").put("unit", "celsius").encode();
    assertEquals((weatherArgs.length() + 3) / 4, weatherFragments, "arguments arrive in 4-character fragments");
    for (Message message : List.of(accumulator.message(), whole)) {
      assertEquals(StopReason.TOOL_USE, message.stopReason().orElseThrow());
      assertEquals(2, message.content().size(), message.toString());
      ToolUseBlock weather = message.content().get(0).asToolUse();
      ToolUseBlock time = message.content().get(1).asToolUse();
      assertEquals("get_weather", weather.name());
      assertEquals(new JsonObject(weatherArgs), json(weather._input()));
      assertEquals("get_time", time.name());
      assertEquals(new JsonObject().put("timezone", "example"), json(time._input()));
      assertTrue(weather.id().startsWith("call_0_") && time.id().startsWith("call_1_"));
    }
    assertEquals("The quick brown fox jumps over the lazy dog. Streams carry tokens ",
      answer.content().get(0).asText().text());
    assertEquals(StopReason.END_TURN, answer.stopReason().orElseThrow());

    JsonObject first = h.simulator.stats().bodies().get(0);
    assertEquals(new JsonObject().put("type", "function").put("function", new JsonObject().put("name", "get_time")
        .put("description", "Looks up time").put("parameters", new JsonObject().put("type", "object")
          .put("properties", new JsonObject().put("timezone", new JsonObject().put("type", "string")))
          .put("required", new JsonArray().add("timezone")))),
      first.getJsonArray("tools").getJsonObject(1));
    JsonArray messages = h.simulator.stats().bodies().get(2).getJsonArray("messages");
    assertEquals(4, messages.size(), messages.encodePrettily());
    JsonObject assistant = messages.getJsonObject(1);
    assertEquals("assistant", assistant.getString("role"));
    assertEquals(null, assistant.getValue("content"));
    JsonObject weatherCall = assistant.getJsonArray("tool_calls").getJsonObject(0);
    assertEquals(whole.content().get(0).asToolUse().id(), weatherCall.getString("id"));
    assertEquals("function", weatherCall.getString("type"));
    assertEquals("get_weather", weatherCall.getJsonObject("function").getString("name"));
    assertEquals(new JsonObject(weatherArgs), new JsonObject(weatherCall.getJsonObject("function").getString("arguments")));
    assertEquals(new JsonObject().put("role", "tool").put("tool_call_id", whole.content().get(0).asToolUse().id())
      .put("content", "18°C, sunny"), messages.getJsonObject(2));
    assertEquals(new JsonObject().put("role", "tool").put("tool_call_id", whole.content().get(1).asToolUse().id())
      .put("content", "14:05"), messages.getJsonObject(3));
    assertEquals(3, h.simulator.stats().completed());
  }

  @Test
  void closingTheSdkStreamEarlyAbortsTheUpstream(Vertx vertx) {
    RelayHarness h = RelayHarness.start(vertx);
    AnthropicClient client = AnthropicSdk.client(h.port);
    MessageCreateParams params = AnthropicSdk.ask("openai/gpt-4o", "long story [sim tokens=2000 paceMs=20]").build();

    StringBuilder received = new StringBuilder();
    try (StreamResponse<RawMessageStreamEvent> stream = client.messages().createStreaming(params)) {
      Iterator<RawMessageStreamEvent> it = stream.stream().iterator();
      while (received.length() < "The quick brown ".length()) {
        RawMessageStreamEvent event = it.next();
        if (event.isContentBlockDelta()) {
          received.append(event.asContentBlockDelta().delta().asText().text());
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

  static String type(RawMessageStreamEvent event) {
    if (event.isMessageStart()) {
      return "message_start";
    } else if (event.isContentBlockStart()) {
      return "content_block_start";
    } else if (event.isContentBlockDelta()) {
      return "content_block_delta";
    } else if (event.isContentBlockStop()) {
      return "content_block_stop";
    } else if (event.isMessageDelta()) {
      return "message_delta";
    } else if (event.isMessageStop()) {
      return "message_stop";
    }
    return "unknown";
  }

  private static Tool tool(String name, Map<String, Object> properties) {
    Tool.InputSchema.Properties.Builder props = Tool.InputSchema.Properties.builder();
    properties.forEach((key, schema) -> props.putAdditionalProperty(key, JsonValue.from(schema)));
    return Tool.builder().name(name).description("Looks up " + name.substring(4))
      .inputSchema(Tool.InputSchema.builder().properties(props.build())
        .required(properties.keySet().stream().sorted().toList()).build())
      .build();
  }

  private static ContentBlockParam toolResult(String id, String content) {
    return ContentBlockParam.ofToolResult(ToolResultBlockParam.builder().toolUseId(id).content(content).build());
  }

  private static JsonObject json(JsonValue value) throws JsonProcessingException {
    return new JsonObject(ObjectMappers.jsonMapper().writeValueAsString(value));
  }
}
