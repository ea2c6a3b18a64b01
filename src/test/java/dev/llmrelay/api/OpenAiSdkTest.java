package dev.llmrelay.api;

import com.openai.client.OpenAIClient;
import com.openai.core.JsonValue;
import com.openai.core.http.StreamResponse;
import com.openai.helpers.ChatCompletionAccumulator;
import com.openai.models.FunctionDefinition;
import com.openai.models.FunctionParameters;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionMessageFunctionToolCall;
import com.openai.models.chat.completions.ChatCompletionMessageToolCall;
import com.openai.models.completions.CompletionUsage;
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
import java.util.Iterator;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The OpenAI-compatible API as the official OpenAI Java SDK sees it, relay in front of the simulator:
 * streamed and whole answers, usage, tool calls, pass-through of the request and cancellation.
 */
@ExtendWith(VertxExtension.class)
class OpenAiSdkTest {

  @Test
  void streamedTextMatchesTheUpstreamExactlyWithItsExtrasAndUsage(Vertx vertx) {
    RelayHarness h = RelayHarness.start(vertx);
    OpenAIClient client = OpenAiSdk.client(h.port);
    ChatCompletionCreateParams params = OpenAiSdk.ask("openai/gpt-4o",
      "Tell me a story [sim tokens=300 split=3 crlf multibyte keepalives=2 paceMs=0]").build();

    List<ChatCompletionChunk> chunks = new ArrayList<>();
    try (StreamResponse<ChatCompletionChunk> stream = client.chat().completions().createStreaming(params)) {
      stream.stream().forEach(chunks::add);
    } finally {
      client.close();
    }

    SimStream upstream = h.simulator.stats().streams().get(0);
    StringBuilder text = new StringBuilder();
    for (ChatCompletionChunk chunk : chunks) {
      chunk.choices().forEach(c -> c.delta().content().ifPresent(text::append));
    }
    assertEquals(300, upstream.written());
    assertEquals(upstream.text(), text.toString());
    assertTrue(text.toString().contains("日本語") && text.toString().contains("𝄞"));
    // role chunk + 300 tokens + finish chunk + usage chunk, each as the upstream sent it
    assertEquals(303, chunks.size());
    String id = chunks.get(0).id();
    assertTrue(id.startsWith("gen-"), id);
    for (ChatCompletionChunk chunk : chunks) {
      assertEquals(id, chunk.id());
      assertEquals("openai/gpt-4o", chunk.model());
      assertEquals("Simulator", chunk._additionalProperties().get("provider").asString().orElseThrow());
    }
    ChatCompletionChunk.Choice finish = chunks.get(301).choices().get(0);
    assertEquals(ChatCompletionChunk.Choice.FinishReason.STOP, finish.finishReason().orElseThrow());
    assertEquals("stop", finish._additionalProperties().get("native_finish_reason").asString().orElseThrow());
    ChatCompletionChunk last = chunks.get(302);
    assertTrue(last.choices().isEmpty());
    CompletionUsage usage = last.usage().orElseThrow();
    assertEquals(17, usage.promptTokens());
    assertEquals(300, usage.completionTokens());
    assertEquals(317, usage.totalTokens());
  }

  @Test
  void nonStreamingAnswerParsesAndEveryOtherFieldPassesThroughUntouched(Vertx vertx) {
    RelayHarness h = RelayHarness.start(vertx);
    OpenAIClient client = OpenAiSdk.client(h.port);
    JsonValue provider = JsonValue.from(Map.of("order", List.of("OpenAI"), "allow_fallbacks", false));
    JsonValue plugins = JsonValue.from(List.of(Map.of("id", "context-compression", "enabled", false)));
    ChatCompletionCreateParams params = OpenAiSdk.ask("anthropic/claude-3.5-sonnet", "hi [sim tokens=9 paceMs=1]")
      .temperature(0.25)
      .topP(0.5)
      .maxCompletionTokens(100)
      .putAdditionalBodyProperty("provider", provider)
      .putAdditionalBodyProperty("plugins", plugins)
      .putAdditionalBodyProperty("reasoning", JsonValue.from(Map.of("effort", "low")))
      .putAdditionalBodyProperty("models", JsonValue.from(List.of("openai/gpt-4o")))
      .putAdditionalBodyProperty("seed", JsonValue.from(7))
      .putAdditionalBodyProperty("user", JsonValue.from("user-42"))
      .build();

    ChatCompletion answer;
    try {
      answer = client.chat().completions().create(params);
    } finally {
      client.close();
    }

    ChatCompletion.Choice choice = answer.choices().get(0);
    assertEquals("The quick brown fox jumps over the lazy dog. ", choice.message().content().orElseThrow());
    assertEquals(ChatCompletion.Choice.FinishReason.STOP, choice.finishReason());
    assertEquals("anthropic/claude-3.5-sonnet", answer.model());
    assertTrue(answer.id().startsWith("gen-"), answer.id());
    assertEquals("Simulator", answer._additionalProperties().get("provider").asString().orElseThrow());
    CompletionUsage usage = answer.usage().orElseThrow();
    assertEquals(9, usage.completionTokens());
    assertEquals(26, usage.totalTokens());
    assertEquals(1, h.simulator.stats().requests());
    JsonObject expected = new JsonObject()
      .put("model", "anthropic/claude-3.5-sonnet")
      .put("messages", new JsonArray().add(new JsonObject().put("role", "user").put("content", "hi [sim tokens=9 paceMs=1]")))
      .put("temperature", 0.25).put("top_p", 0.5).put("max_completion_tokens", 100)
      .put("provider", new JsonObject().put("order", new JsonArray().add("OpenAI")).put("allow_fallbacks", false))
      .put("plugins", new JsonArray().add(new JsonObject().put("id", "context-compression").put("enabled", false)))
      .put("reasoning", new JsonObject().put("effort", "low"))
      .put("models", new JsonArray().add("openai/gpt-4o"))
      .put("seed", 7).put("user", "user-42")
      .put("stream", true);
    assertEquals(expected, h.simulator.stats().bodies().get(0), "the relay always streams from the upstream");
  }

  @Test
  void toolCallDeltasSplitAcrossChunksAssembleIntoTheRightArguments(Vertx vertx) {
    RelayHarness h = RelayHarness.start(vertx);
    OpenAIClient client = OpenAiSdk.client(h.port);
    ChatCompletionCreateParams params = OpenAiSdk.ask("sim/tools", "Weather in Paris, and the time? [sim paceMs=0]")
      .addFunctionTool(function("get_weather", Map.of(
        "location", Map.of("type", "string"),
        "unit", Map.of("type", "string", "enum", List.of("celsius", "fahrenheit")))))
      .addFunctionTool(function("get_time", Map.of("timezone", Map.of("type", "string"))))
      .build();

    ChatCompletionAccumulator accumulator = ChatCompletionAccumulator.create();
    int argumentFragments = 0;
    ChatCompletion whole;
    try {
      try (StreamResponse<ChatCompletionChunk> stream = client.chat().completions().createStreaming(params)) {
        for (Iterator<ChatCompletionChunk> it = stream.stream().iterator(); it.hasNext(); ) {
          ChatCompletionChunk chunk = accumulator.accumulate(it.next());
          for (ChatCompletionChunk.Choice c : chunk.choices()) {
            for (ChatCompletionChunk.Choice.Delta.ToolCall call : c.delta().toolCalls().orElse(List.of())) {
              if (call.index() == 0 && !call.function().orElseThrow().arguments().orElse("").isEmpty()) {
                argumentFragments++;
              }
            }
          }
        }
      }
      whole = client.chat().completions().create(params);
    } finally {
      client.close();
    }

    String weatherArgs = new JsonObject().put("location", "example").put("unit", "celsius").encode();
    assertEquals((weatherArgs.length() + 3) / 4, argumentFragments, "arguments arrive in 4-character fragments");
    for (ChatCompletion completion : List.of(accumulator.chatCompletion(), whole)) {
      ChatCompletion.Choice choice = completion.choices().get(0);
      assertEquals(ChatCompletion.Choice.FinishReason.TOOL_CALLS, choice.finishReason());
      List<ChatCompletionMessageToolCall> calls = choice.message().toolCalls().orElseThrow();
      assertEquals(2, calls.size());
      ChatCompletionMessageFunctionToolCall weather = calls.get(0).asFunction();
      ChatCompletionMessageFunctionToolCall time = calls.get(1).asFunction();
      assertEquals("get_weather", weather.function().name());
      assertEquals(new JsonObject(weatherArgs), new JsonObject(weather.function().arguments()));
      assertEquals("get_time", time.function().name());
      assertEquals(new JsonObject().put("timezone", "example"), new JsonObject(time.function().arguments()));
      assertTrue(weather.id().startsWith("call_0_") && time.id().startsWith("call_1_"));
      assertTrue(choice.message().content().orElse("").isEmpty());
    }
    assertEquals(2, h.simulator.stats().completed());
  }

  @Test
  void closingTheSdkStreamEarlyAbortsTheUpstream(Vertx vertx) {
    RelayHarness h = RelayHarness.start(vertx);
    OpenAIClient client = OpenAiSdk.client(h.port);
    ChatCompletionCreateParams params = OpenAiSdk.ask("openai/gpt-4o", "long story [sim tokens=2000 paceMs=20]").build();

    StringBuilder received = new StringBuilder();
    try (StreamResponse<ChatCompletionChunk> stream = client.chat().completions().createStreaming(params)) {
      Iterator<ChatCompletionChunk> it = stream.stream().iterator();
      while (received.length() < "The quick brown ".length()) {
        it.next().choices().forEach(c -> c.delta().content().ifPresent(received::append));
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

  private static FunctionDefinition function(String name, Map<String, Object> properties) {
    return FunctionDefinition.builder().name(name).parameters(FunctionParameters.builder()
        .putAdditionalProperty("type", JsonValue.from("object"))
        .putAdditionalProperty("properties", JsonValue.from(properties))
        .putAdditionalProperty("required", JsonValue.from(List.copyOf(properties.keySet())))
        .build())
      .build();
  }
}
