package dev.llmrelay.http;

import dev.llmrelay.error.ErrorType;
import dev.llmrelay.error.RelayError;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;

/**
 * The relay's errors in OpenAI's shape, {@code {"error": {"message", "type", "param", "code"}}}: the one
 * place that maps an {@link ErrorType} to OpenAI's {@code type} and {@code code}. {@code code} is
 * OpenAI's own code where apps match on one ({@code context_length_exceeded}, {@code rate_limit_exceeded},
 * {@code invalid_api_key}, {@code insufficient_quota}), else the relay's type name ({@code budget_exceeded}, with
 * type {@code insufficient_quota}, for a key over its relay budget). The HTTP status is
 * the relay's, so the OpenAI SDKs raise their matching exception (400, 401, 403, 404, 429, 5xx).
 */
public final class OpenAiErrors {

  private OpenAiErrors() {
  }

  /** A 404 with an explicit code, e.g. {@code model_not_found}. */
  public static void notFound(HttpServerResponse response, String message, String param, String code) {
    RelayError error = new RelayError(ErrorType.BAD_REQUEST, 404, message, -1, param);
    ErrorResponses.send(response, error, body(error, code).encode());
  }

  /**
   * The error as one SSE event on a stream that has started: a top-level {@code error} object, which
   * the OpenAI SDKs raise as an exception (openai-java: {@code SseException}).
   */
  public static String event(RelayError error) {
    return "data: " + body(error, null).encode() + "\n\n";
  }

  /**
   * The {@code error} of a Responses API {@code response.failed} event: {@code {code, message}}, with
   * OpenAI's code for a rate limit and {@code server_error} for any other failure once a stream has started
   * (the codes the Responses API documents for a failed response; the message says what happened).
   */
  public static JsonObject responseError(RelayError error) {
    String code = error.type() == ErrorType.RATE_LIMIT ? "rate_limit_exceeded" : "server_error";
    return new JsonObject().put("code", code).put("message", error.message());
  }

  static JsonObject body(RelayError error, String codeOverride) {
    return body(error, codeOverride, "messages");
  }

  /** @param conversationParam the param a context-length error names: the API's conversation field */
  static JsonObject body(RelayError error, String codeOverride, String conversationParam) {
    String param = switch (error.type()) {
      case BAD_REQUEST -> error.field();
      case CONTEXT_LENGTH -> conversationParam;
      default -> null;
    };
    JsonObject inner = new JsonObject()
      .put("message", error.message())
      .put("type", type(error.type()))
      .put("param", param)
      .put("code", codeOverride != null ? codeOverride : code(error.type()));
    return new JsonObject().put("error", inner);
  }

  private static String type(ErrorType type) {
    return switch (type) {
      case BAD_REQUEST, CONTEXT_LENGTH, CANCELLED -> "invalid_request_error";
      case AUTH -> "authentication_error";
      case PAYMENT_REQUIRED, BUDGET_EXCEEDED -> "insufficient_quota";
      case FORBIDDEN -> "permission_error";
      case RATE_LIMIT -> "rate_limit_error";
      case TIMEOUT -> "timeout_error";
      case UPSTREAM_UNAVAILABLE, CIRCUIT_OPEN, UPSTREAM_PROTOCOL, INTERNAL -> "server_error";
      case OVERLOADED -> "overloaded_error";
    };
  }

  private static String code(ErrorType type) {
    return switch (type) {
      case CONTEXT_LENGTH -> "context_length_exceeded";
      case RATE_LIMIT -> "rate_limit_exceeded";
      case AUTH -> "invalid_api_key";
      case PAYMENT_REQUIRED -> "insufficient_quota";
      default -> type.wireName();
    };
  }
}
