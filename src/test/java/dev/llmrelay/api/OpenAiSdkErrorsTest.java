package dev.llmrelay.api;

import com.openai.client.OpenAIClient;
import com.openai.core.JsonValue;
import com.openai.core.http.StreamResponse;
import com.openai.errors.BadRequestException;
import com.openai.errors.NotFoundException;
import com.openai.errors.OpenAIServiceException;
import com.openai.errors.RateLimitException;
import com.openai.errors.SseException;
import com.openai.errors.UnauthorizedException;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.embeddings.EmbeddingCreateParams;
import com.openai.models.models.Model;
import dev.llmrelay.config.BreakerConfig;
import dev.llmrelay.config.RelayConfig;
import dev.llmrelay.testing.Await;
import dev.llmrelay.testing.OpenAiSdk;
import dev.llmrelay.testing.RelayHarness;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.function.Executable;

import java.io.IOException;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Failures as the official OpenAI Java SDK sees them: upstream rejections before the stream surface as
 * the SDK's own exception types with the right status and OpenAI's error fields; a failure in the
 * middle of a stream raises; unknown endpoints and models are 404s.
 */
@ExtendWith(VertxExtension.class)
class OpenAiSdkErrorsTest {

  @Test
  void unauthorizedRateLimitAndContextLengthSurfaceAsTheSdkExceptionTypes(Vertx vertx) {
    // No relay retries, so every call is exactly one upstream request.
    RelayHarness h = RelayHarness.start(vertx, OpenAiSdkErrorsTest::noRetries);
    OpenAIClient client = OpenAiSdk.client(h.port);
    try {
      for (boolean stream : new boolean[] {false, true}) {
        UnauthorizedException auth = assertThrows(UnauthorizedException.class, call(client, "sim/auth", stream));
        assertError(auth, 401, "authentication_error", "invalid_api_key", null, "Missing Authentication header");

        RateLimitException limit = assertThrows(RateLimitException.class,
          call(client, "sim/rate-limit", stream, "[sim retryAfter=3]"));
        assertError(limit, 429, "rate_limit_error", "rate_limit_exceeded", null, "rate limit");
        assertEquals(List.of("3"), limit.headers().values("Retry-After"));

        BadRequestException context = assertThrows(BadRequestException.class, call(client, "sim/context-length", stream));
        assertError(context, 400, "invalid_request_error", "context_length_exceeded", "messages", "context length");
      }
    } finally {
      client.close();
    }
    // The streaming call's 429 came within the first one's Retry-After: the route was still backing off, so
    // the relay answered it as the upstream had, without asking again.
    assertEquals(1, h.simulator.stats().requests("sim/rate-limit"));
    assertEquals(5, h.simulator.stats().requests());
    assertEquals(0, h.simulator.stats().started());
  }

  @Test
  void aMidStreamFailureRaisesInTheStreamAndIsARealStatusWithoutOne(Vertx vertx) {
    RelayHarness h = RelayHarness.start(vertx);
    OpenAIClient client = OpenAiSdk.client(h.port);
    ChatCompletionCreateParams params = OpenAiSdk.ask("sim/midstream-error", "go [sim tokens=10 errorAt=4 paceMs=0]")
      .build();
    StringBuilder received = new StringBuilder();
    RateLimitException whole;
    SseException streamed;
    try {
      streamed = assertThrows(SseException.class, () -> {
        try (StreamResponse<ChatCompletionChunk> stream = client.chat().completions().createStreaming(params)) {
          stream.stream().forEach(chunk -> chunk.choices().forEach(c -> c.delta().content().ifPresent(received::append)));
        }
      });
      whole = assertThrows(RateLimitException.class, () -> client.chat().completions().create(params));
    } finally {
      client.close();
    }

    assertEquals("The quick brown fox ", received.toString(), "the tokens before the failure arrived in order");
    assertError(streamed, 200, "rate_limit_error", "rate_limit_exceeded", null, "rate limit");
    assertError(whole, 429, "rate_limit_error", "rate_limit_exceeded", null, "rate limit");
    assertEquals(2, h.simulator.stats().requests());
  }

  @Test
  void invalidRequestsUnknownEndpointsAndModelsAreOpenAiErrors(Vertx vertx) throws IOException {
    RelayHarness h = RelayHarness.start(vertx);
    OpenAIClient client = OpenAiSdk.client(h.port);
    try {
      BadRequestException empty = assertThrows(BadRequestException.class, () -> client.chat().completions()
        .create(ChatCompletionCreateParams.builder().model("openai/gpt-4o").messages(List.of()).build()));
      assertError(empty, 400, "invalid_request_error", "bad_request", "messages", "non-empty array");

      NotFoundException embeddings = assertThrows(NotFoundException.class, () -> client.embeddings().create(
        EmbeddingCreateParams.builder().model("openai/text-embedding-3-small").input("hello").build()));
      assertError(embeddings, 404, "invalid_request_error", "unknown_url", null, "POST /v1/embeddings");

      // The live catalog: the simulator's /models, the file's models first (less one the simulator does not list).
      Await.until(() -> client.models().list().data().size() == 8, 5_000, "the relay fetched the simulator's models");
      List<Model> models = client.models().list().data();
      assertEquals(List.of("anthropic/claude-3.5-sonnet", "openai/gpt-4o", "openai/gpt-4o-mini",
        "meta-llama/llama-3.1-70b-instruct", "mistralai/mistral-large", "google/gemini-2.5-flash",
        "deepseek/deepseek-chat-v3.1", "qwen/qwen3-8b:free"), models.stream().map(Model::id).toList());
      for (Model model : models) {
        assertEquals(model.id().substring(0, model.id().indexOf('/')), model.ownedBy());
      }
      Model gpt = client.models().retrieve("openai/gpt-4o");
      assertEquals("openai/gpt-4o", gpt.id());
      assertEquals("openai", gpt.ownedBy());
      assertEquals(128000, ((Number) gpt._additionalProperties().get("context_length").asNumber().orElseThrow()).intValue());

      NotFoundException unknown = assertThrows(NotFoundException.class, () -> client.models().retrieve("acme/none"));
      assertError(unknown, 404, "invalid_request_error", "model_not_found", "model", "acme/none");
    } finally {
      client.close();
    }
    assertEquals(0, h.simulator.stats().requests());
  }

  private static Executable call(OpenAIClient client, String model, boolean stream) {
    return call(client, model, stream, "");
  }

  private static Executable call(OpenAIClient client, String model, boolean stream, String directive) {
    ChatCompletionCreateParams params = OpenAiSdk.ask(model, "hello " + directive).build();
    if (!stream) {
      return () -> client.chat().completions().create(params);
    }
    return () -> {
      try (StreamResponse<ChatCompletionChunk> response = client.chat().completions().createStreaming(params)) {
        response.stream().forEach(chunk -> { });
      }
    };
  }

  private static void assertError(OpenAIServiceException e, int status, String type, String code, String param,
                                  String messagePart) {
    assertEquals(status, e.statusCode());
    assertEquals(type, e.type().orElseThrow());
    assertEquals(code, e.code().orElseThrow());
    assertEquals(param, e.param().orElse(null));
    @SuppressWarnings("unchecked")
    Map<String, JsonValue> body = (Map<String, JsonValue>) e.body().asObject().orElseThrow();
    String message = body.get("message").asStringOrThrow();
    assertTrue(message.toLowerCase().contains(messagePart.toLowerCase()), message);
    assertFalse(e.headers().names().isEmpty());
  }

  private static RelayConfig noRetries(RelayConfig c) {
    BreakerConfig b = c.breaker();
    return c.withBreaker(b.withRetries(0, b.initialDelayMs(), b.maxDelayMs(), b.deadlineMs()));
  }
}
