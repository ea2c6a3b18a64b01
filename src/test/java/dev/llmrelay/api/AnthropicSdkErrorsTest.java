package dev.llmrelay.api;

import com.anthropic.client.AnthropicClient;
import com.anthropic.core.JsonValue;
import com.anthropic.core.http.StreamResponse;
import com.anthropic.errors.AnthropicServiceException;
import com.anthropic.errors.BadRequestException;
import com.anthropic.errors.InternalServerException;
import com.anthropic.errors.PaymentRequiredException;
import com.anthropic.errors.PermissionDeniedException;
import com.anthropic.errors.RateLimitException;
import com.anthropic.errors.ServiceUnavailableException;
import com.anthropic.errors.SseException;
import com.anthropic.errors.UnauthorizedException;
import com.anthropic.models.messages.MessageCreateParams;
import com.anthropic.models.messages.RawMessageStreamEvent;
import dev.llmrelay.config.BreakerConfig;
import dev.llmrelay.config.RelayConfig;
import dev.llmrelay.testing.AnthropicSdk;
import dev.llmrelay.testing.Await;
import dev.llmrelay.testing.RelayHarness;
import dev.llmrelay.testing.SseClient;
import io.vertx.core.Future;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.function.Executable;

import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Failures on {@code /v1/messages} as the official Anthropic Java SDK sees them: upstream rejections before
 * the stream surface as the SDK's own exception types with the right status and Anthropic's error type; a
 * failure in the middle of a stream raises in the stream; a request the relay cannot translate is a 400.
 */
@ExtendWith(VertxExtension.class)
class AnthropicSdkErrorsTest {

  @Test
  void upstreamRejectionsSurfaceAsTheSdkExceptionTypesWithAnthropicsErrorTypes(Vertx vertx) {
    // No relay retries, so every call is exactly one upstream request.
    RelayHarness h = RelayHarness.start(vertx, AnthropicSdkErrorsTest::noRetries);
    AnthropicClient client = AnthropicSdk.client(h.port);
    try {
      for (boolean stream : new boolean[] {false, true}) {
        UnauthorizedException auth = assertThrows(UnauthorizedException.class, call(client, "sim/auth", stream, ""));
        assertError(auth, 401, "authentication_error", "Missing Authentication header");

        RateLimitException limit = assertThrows(RateLimitException.class,
          call(client, "sim/rate-limit", stream, "[sim retryAfter=3]"));
        assertError(limit, 429, "rate_limit_error", "rate limit");
        assertEquals(List.of("3"), limit.headers().values("Retry-After"));

        BadRequestException context = assertThrows(BadRequestException.class,
          call(client, "sim/context-length", stream, ""));
        assertError(context, 400, "invalid_request_error", "context length");

        PaymentRequiredException payment = assertThrows(PaymentRequiredException.class,
          call(client, "sim/payment", stream, ""));
        assertError(payment, 402, "billing_error", "insufficient credits");

        PermissionDeniedException forbidden = assertThrows(PermissionDeniedException.class,
          call(client, "sim/forbidden", stream, ""));
        assertError(forbidden, 403, "permission_error", "flagged by moderation");

        InternalServerException gateway = assertThrows(InternalServerException.class,
          call(client, "sim/bad-gateway", stream, ""));
        assertError(gateway, 502, "api_error", "Provider returned error");
      }
    } finally {
      client.close();
    }
    // The streaming call's 429 came within the first one's Retry-After: the route was still backing off, so
    // the relay answered it as the upstream had, without asking again.
    assertEquals(1, h.simulator.stats().requests("sim/rate-limit"));
    assertEquals(11, h.simulator.stats().requests());
    assertEquals(0, h.simulator.stats().started());
  }

  @Test
  void aMidStreamFailureRaisesInTheStreamAndIsARealStatusWithoutOne(Vertx vertx) {
    RelayHarness h = RelayHarness.start(vertx);
    AnthropicClient client = AnthropicSdk.client(h.port);
    MessageCreateParams params = AnthropicSdk.ask("sim/midstream-error", "go [sim tokens=10 errorAt=4 paceMs=0]").build();
    StringBuilder received = new StringBuilder();
    boolean[] stopped = {false};
    SseException streamed;
    RateLimitException whole;
    try {
      streamed = assertThrows(SseException.class, () -> {
        try (StreamResponse<RawMessageStreamEvent> stream = client.messages().createStreaming(params)) {
          stream.stream().forEach(event -> {
            if (event.isContentBlockDelta()) {
              received.append(event.asContentBlockDelta().delta().asText().text());
            }
            stopped[0] |= event.isMessageStop() || event.isMessageDelta();
          });
        }
      });
      whole = assertThrows(RateLimitException.class, () -> client.messages().create(params));
    } finally {
      client.close();
    }

    assertEquals("The quick brown fox ", received.toString(), "the tokens before the failure arrived in order");
    assertTrue(!stopped[0], "no message_delta or message_stop before the error");
    assertError(streamed, 200, "rate_limit_error", "rate limit");
    assertError(whole, 429, "rate_limit_error", "rate limit");
    assertEquals(2, h.simulator.stats().requests());
  }

  @Test
  void theRelaysOwnAdmissionLimitIsAnOverloadedError(Vertx vertx) {
    RelayHarness h = RelayHarness.start(vertx, c -> c.withUpstream(c.upstream().withMaxStreams(1)));
    SseClient sse = new SseClient(vertx, h.port);
    AtomicBoolean leave = new AtomicBoolean();
    Future<SseClient.Result> running = sse.send(HttpMethod.POST, "/v1/messages", new JsonObject()
      .put("model", "openai/gpt-4o").put("max_tokens", 64).put("stream", true)
      .put("messages", new JsonArray(SseClient.userMessages("long [sim tokens=2000 paceMs=20]"))).encode(),
      events -> leave.get());
    Await.until(() -> h.simulator.stats().started() == 1, 5_000, "the first stream is running");

    AnthropicClient client = AnthropicSdk.client(h.port);
    try {
      ServiceUnavailableException refused = assertThrows(ServiceUnavailableException.class,
        () -> client.messages().create(AnthropicSdk.ask("openai/gpt-4o", "second").build()));
      assertError(refused, 503, "overloaded_error", "");
    } finally {
      client.close();
      leave.set(true);
    }
    assertTrue(running.await().closedByUs());
    assertEquals(1, h.simulator.stats().requests());
  }

  @Test
  void aFieldTheRelayDoesNotTranslateIsA400NamingIt(Vertx vertx) {
    RelayHarness h = RelayHarness.start(vertx);
    AnthropicClient client = AnthropicSdk.client(h.port);
    try {
      BadRequestException thinking = assertThrows(BadRequestException.class, () -> client.messages()
        .create(AnthropicSdk.ask("openai/gpt-4o", "hi").enabledThinking(1024).build()));
      assertError(thinking, 400, "invalid_request_error", "thinking: unknown or unsupported field");
    } finally {
      client.close();
    }
    assertEquals(0, h.simulator.stats().requests());
  }

  private static Executable call(AnthropicClient client, String model, boolean stream, String directive) {
    MessageCreateParams params = AnthropicSdk.ask(model, "hello " + directive).build();
    if (!stream) {
      return () -> client.messages().create(params);
    }
    return () -> {
      try (StreamResponse<RawMessageStreamEvent> response = client.messages().createStreaming(params)) {
        response.stream().forEach(event -> { });
      }
    };
  }

  private static void assertError(AnthropicServiceException e, int status, String type, String messagePart) {
    assertEquals(status, e.statusCode());
    @SuppressWarnings("unchecked")
    Map<String, JsonValue> body = (Map<String, JsonValue>) e.body().asObject().orElseThrow();
    assertEquals("error", body.get("type").asStringOrThrow(), e.getMessage());
    assertEquals(type, e.type().orElseThrow().asString());
    String message = e.apiMessage().orElseThrow();
    assertTrue(message.toLowerCase().contains(messagePart.toLowerCase()), message);
  }

  private static RelayConfig noRetries(RelayConfig c) {
    BreakerConfig b = c.breaker();
    return c.withBreaker(b.withRetries(0, b.initialDelayMs(), b.maxDelayMs(), b.deadlineMs()));
  }
}
