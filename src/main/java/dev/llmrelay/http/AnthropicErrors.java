package dev.llmrelay.http;

import dev.llmrelay.error.ErrorType;
import dev.llmrelay.error.RelayError;
import io.vertx.core.json.JsonObject;

/**
 * The relay's errors in Anthropic's shape, {@code {"type": "error", "error": {"type", "message"}}}: the one
 * place that maps an {@link ErrorType} to Anthropic's error {@code type}. The HTTP status stays the relay's
 * (429 for a rate limit, 401 for a rejected key, 413 for a body over the limit, ...), so the Anthropic SDKs
 * raise their matching exception; the type is what Anthropic documents for that status. Failures of the
 * upstream (gone, broken, its breaker open) keep their 5xx statuses, which the SDKs raise as server errors.
 */
public final class AnthropicErrors {

  private AnthropicErrors() {
  }

  /**
   * The error as the {@code event: error} of a stream that has started; the Anthropic SDKs raise it
   * (anthropic-java: {@code SseException}). Nothing follows it: no {@code message_stop}.
   */
  public static String event(RelayError error) {
    return "event: error\ndata: " + body(error).encode() + "\n\n";
  }

  static JsonObject body(RelayError error) {
    return new JsonObject()
      .put("type", "error")
      .put("error", new JsonObject().put("type", type(error)).put("message", error.message()));
  }

  /** Anthropic's error type for a relay error (the list at docs.anthropic.com/en/api/errors). */
  private static String type(RelayError error) {
    return switch (error.type()) {
      case BAD_REQUEST -> switch (error.status()) {
        case 404 -> "not_found_error";
        case 413 -> "request_too_large";
        default -> "invalid_request_error";
      };
      // Anthropic answers an over-long prompt with a 400 invalid_request_error ("prompt is too long").
      case CONTEXT_LENGTH, CANCELLED -> "invalid_request_error";
      case AUTH -> "authentication_error";
      // Anthropic's type for its 402; the relay's own budget refusal is one too.
      case PAYMENT_REQUIRED, BUDGET_EXCEEDED -> "billing_error";
      case FORBIDDEN -> "permission_error";
      case RATE_LIMIT -> "rate_limit_error";
      case TIMEOUT -> "timeout_error";
      // The relay's admission limit and a breaker refusing at once are "temporarily overloaded, try later",
      // not an unexpected failure.
      case OVERLOADED, CIRCUIT_OPEN -> "overloaded_error";
      case UPSTREAM_UNAVAILABLE, UPSTREAM_PROTOCOL, INTERNAL -> "api_error";
    };
  }
}
