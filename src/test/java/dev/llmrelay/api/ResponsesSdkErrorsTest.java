package dev.llmrelay.api;

import com.openai.client.OpenAIClient;
import com.openai.core.JsonValue;
import com.openai.core.http.StreamResponse;
import com.openai.errors.BadRequestException;
import com.openai.errors.OpenAIServiceException;
import com.openai.errors.RateLimitException;
import com.openai.errors.UnauthorizedException;
import com.openai.models.responses.ResponseCreateParams;
import com.openai.models.responses.ResponseError;
import com.openai.models.responses.ResponseFailedEvent;
import com.openai.models.responses.ResponseStatus;
import com.openai.models.responses.ResponseStreamEvent;
import dev.llmrelay.config.BreakerConfig;
import dev.llmrelay.config.RelayConfig;
import dev.llmrelay.testing.OpenAiSdk;
import dev.llmrelay.testing.RelayHarness;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.function.Executable;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Failures on {@code /v1/responses} as the official OpenAI Java SDK sees them: upstream rejections before the
 * stream are the SDK's own exception types with OpenAI's error fields; a failure in the middle of a stream is
 * the SDK's {@code ResponseFailedEvent} carrying the error, and a real status without a stream; what the
 * stateless relay cannot do is a 400 naming the param.
 */
@ExtendWith(VertxExtension.class)
class ResponsesSdkErrorsTest {

  @Test
  void unauthorizedRateLimitAndContextLengthSurfaceAsTheSdkExceptionTypes(Vertx vertx) {
    // No relay retries, so every call is exactly one upstream request.
    RelayHarness h = RelayHarness.start(vertx, ResponsesSdkErrorsTest::noRetries);
    OpenAIClient client = OpenAiSdk.client(h.port);
    try {
      for (boolean stream : new boolean[] {false, true}) {
        UnauthorizedException auth = assertThrows(UnauthorizedException.class, call(client, "sim/auth", stream, ""));
        assertError(auth, 401, "authentication_error", "invalid_api_key", null, "Missing Authentication header");

        RateLimitException limit = assertThrows(RateLimitException.class,
          call(client, "sim/rate-limit", stream, "[sim retryAfter=3]"));
        assertError(limit, 429, "rate_limit_error", "rate_limit_exceeded", null, "rate limit");
        assertEquals(List.of("3"), limit.headers().values("Retry-After"));

        BadRequestException context = assertThrows(BadRequestException.class,
          call(client, "sim/context-length", stream, ""));
        assertError(context, 400, "invalid_request_error", "context_length_exceeded", "input", "context length");
      }
    } finally {
      client.close();
    }
    // The streaming call's 429 came within the first one's Retry-After: the relay answered it without asking again.
    assertEquals(1, h.simulator.stats().requests("sim/rate-limit"));
    assertEquals(5, h.simulator.stats().requests());
    assertEquals(0, h.simulator.stats().started());
  }

  @Test
  void aMidStreamFailureIsAFailedResponseInTheStreamAndARealStatusWithoutOne(Vertx vertx) {
    RelayHarness h = RelayHarness.start(vertx);
    OpenAIClient client = OpenAiSdk.client(h.port);
    ResponseCreateParams params = OpenAiSdk.respond("sim/midstream-error", "go [sim tokens=10 errorAt=4 paceMs=0]")
      .build();
    StringBuilder received = new StringBuilder();
    List<String> types = new ArrayList<>();
    ResponseFailedEvent failed = null;
    RateLimitException whole;
    try {
      try (StreamResponse<ResponseStreamEvent> stream = client.responses().createStreaming(params)) {
        for (ResponseStreamEvent event : stream.stream().toList()) {
          types.add(ResponsesSdkTest.type(event));
          if (event.isOutputTextDelta()) {
            received.append(event.asOutputTextDelta().delta());
          } else if (event.isFailed()) {
            failed = event.asFailed();
          }
        }
      }
      whole = assertThrows(RateLimitException.class, () -> client.responses().create(params));
    } finally {
      client.close();
    }

    assertEquals("The quick brown fox ", received.toString(), "the tokens before the failure arrived in order");
    assertEquals(List.of("created", "in_progress", "output_item.added", "content_part.added", "output_text.delta",
      "output_text.delta", "output_text.delta", "output_text.delta", "failed"), types, "nothing after the failure");
    assertEquals(ResponseStatus.FAILED, failed.response().status().orElseThrow());
    ResponseError error = failed.response().error().orElseThrow();
    assertEquals(ResponseError.Code.RATE_LIMIT_EXCEEDED, error.code());
    assertEquals("Upstream rate limit reached: Rate limit exceeded", error.message());
    assertEquals("The quick brown fox ",
      failed.response().output().get(0).asMessage().content().get(0).asOutputText().text());
    assertError(whole, 429, "rate_limit_error", "rate_limit_exceeded", null, "rate limit");
    assertEquals(2, h.simulator.stats().requests());
  }

  @Test
  void theStatelessRelayRefusesPreviousResponseIdAndStoreAndUnknownParams(Vertx vertx) {
    RelayHarness h = RelayHarness.start(vertx);
    OpenAIClient client = OpenAiSdk.client(h.port);
    try {
      BadRequestException previous = assertThrows(BadRequestException.class, () -> client.responses()
        .create(OpenAiSdk.respond("openai/gpt-4o", "and then?").previousResponseId("resp_123").build()));
      assertError(previous, 400, "invalid_request_error", "bad_request", "previous_response_id",
        "previous_response_id: this relay does not store responses");

      BadRequestException store = assertThrows(BadRequestException.class, () -> client.responses()
        .create(OpenAiSdk.respond("openai/gpt-4o", "hi").store(true).build()));
      assertError(store, 400, "invalid_request_error", "bad_request", "store", "store: this relay does not store responses");

      BadRequestException reasoning = assertThrows(BadRequestException.class, () -> client.responses()
        .create(OpenAiSdk.respond("openai/gpt-4o", "hi")
          .putAdditionalBodyProperty("reasoning", JsonValue.from(Map.of("effort", "low"))).build()));
      assertError(reasoning, 400, "invalid_request_error", "bad_request", "reasoning",
        "reasoning: unknown or unsupported parameter");
    } finally {
      client.close();
    }
    assertEquals(0, h.simulator.stats().requests());
  }

  private static Executable call(OpenAIClient client, String model, boolean stream, String directive) {
    ResponseCreateParams params = OpenAiSdk.respond(model, "hello " + directive).build();
    if (!stream) {
      return () -> client.responses().create(params);
    }
    return () -> {
      try (StreamResponse<ResponseStreamEvent> response = client.responses().createStreaming(params)) {
        response.stream().forEach(event -> { });
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
  }

  private static RelayConfig noRetries(RelayConfig c) {
    BreakerConfig b = c.breaker();
    return c.withBreaker(b.withRetries(0, b.initialDelayMs(), b.maxDelayMs(), b.deadlineMs()));
  }
}
