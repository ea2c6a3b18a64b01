package dev.llmrelay.error;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.http.HttpClosedException;
import io.vertx.core.http.StreamResetException;
import io.vertx.circuitbreaker.OpenCircuitException;

import java.io.IOException;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.concurrent.TimeoutException;

/**
 * The one place where every failure becomes a {@link RelayError}: upstream HTTP statuses and error
 * bodies, mid-stream error chunks, transport failures, timeouts, the open breaker and event-bus
 * failures. Rate-limit messages always contain "rate limit" and context overflows "context length",
 * because clients match on those words.
 */
public final class ErrorMapper {

  private static final ObjectMapper JSON = new ObjectMapper();

  private ErrorMapper() {
  }

  /**
   * Maps an upstream error: the HTTP status (or the {@code error.code} of a mid-stream chunk), the
   * stable {@code error.metadata.error_type} when present, and the upstream's message.
   */
  public static RelayError fromUpstream(int status, String errorType, String upstreamMessage, long retryAfterMs) {
    ErrorType type = typeOf(status, errorType, upstreamMessage);
    String detail = upstreamMessage == null || upstreamMessage.isBlank() ? "no message" : upstreamMessage;
    String message = switch (type) {
      case RATE_LIMIT -> "Upstream rate limit reached: " + detail;
      case CONTEXT_LENGTH -> "The conversation exceeds the model's context length: " + detail;
      case AUTH -> "The upstream rejected the relay's API key: " + detail;
      case PAYMENT_REQUIRED -> "The upstream account has insufficient credits: " + detail;
      case FORBIDDEN -> "The upstream refused the request: " + detail;
      case TIMEOUT -> "The upstream timed out: " + detail;
      case BAD_REQUEST -> "The upstream rejected the request: " + detail;
      default -> "The upstream failed (status " + status + "): " + detail;
    };
    return new RelayError(type, clientStatus(type, status), message, retryAfterMs, null);
  }

  /**
   * Maps a non-2xx upstream response head and body ({@code {"error":{"code","message","metadata"}}},
   * or anything else), with the {@code Retry-After} header value if any.
   */
  public static RelayError fromUpstreamResponse(int status, String body, String retryAfterHeader) {
    String message = null;
    String errorType = null;
    long retryAfterMs = parseRetryAfter(retryAfterHeader);
    try {
      JsonNode root = JSON.readTree(body == null ? "" : body);
      JsonNode error = root == null ? null : root.get("error");
      if (error != null && error.isObject()) {
        message = textOrNull(error.get("message"));
        JsonNode metadata = error.get("metadata");
        if (metadata != null) {
          errorType = textOrNull(metadata.get("error_type"));
        }
        JsonNode availability = error.get("availability");
        if (retryAfterMs < 0 && availability != null && availability.has("retry_after")) {
          retryAfterMs = Math.round(availability.get("retry_after").asDouble() * 1000);
        }
      } else if (error != null && error.isTextual()) {
        message = error.asText();
      }
    } catch (IOException notJson) {
      // fall through: the body is not JSON, quote a bounded prefix of it
    }
    if (message == null && body != null && !body.isBlank()) {
      message = body.length() > 200 ? body.substring(0, 200) + "…" : body;
    }
    return fromUpstream(status, errorType, message, retryAfterMs);
  }

  /** Maps a top-level {@code error} object found in a streamed chunk. */
  public static RelayError fromChunkError(JsonNode error) {
    int code = 502;
    JsonNode codeNode = error.get("code");
    if (codeNode != null && codeNode.canConvertToInt() && codeNode.asInt() >= 400) {
      code = codeNode.asInt();
    }
    String errorType = null;
    JsonNode metadata = error.get("metadata");
    if (metadata != null) {
      errorType = textOrNull(metadata.get("error_type"));
    }
    if (errorType == null && codeNode != null && codeNode.isTextual()) {
      errorType = codeNode.asText();
    }
    return fromUpstream(code, errorType, textOrNull(error.get("message")), -1);
  }

  /** Maps any failure seen by the relay itself (transport, timeouts, breaker, event bus). */
  public static RelayError fromThrowable(Throwable t) {
    if (t instanceof RelayException re) {
      return re.error();
    }
    if (t instanceof OpenCircuitException) {
      return RelayError.of(ErrorType.CIRCUIT_OPEN, "The upstream circuit breaker is open after repeated failures");
    }
    if (t instanceof TimeoutException && t.getMessage() != null && t.getMessage().contains("getting a connection")) {
      // Vert.x's wait for a pooled connection: the relay's own overload, not the upstream's.
      return new RelayError(ErrorType.OVERLOADED, 503, "The relay is overloaded: no upstream connection was free in time",
        OVERLOAD_RETRY_MS, null);
    }
    if (t instanceof TimeoutException) {
      return RelayError.of(ErrorType.TIMEOUT, "The upstream did not answer in time: " + t.getMessage());
    }
    if (t instanceof io.netty.channel.ConnectTimeoutException) {
      return RelayError.of(ErrorType.TIMEOUT, "Connecting to the upstream timed out: " + t.getMessage());
    }
    if (t instanceof ConnectException || t instanceof UnknownHostException) {
      return RelayError.of(ErrorType.UPSTREAM_UNAVAILABLE, "Cannot connect to the upstream: " + t.getMessage());
    }
    if (t instanceof HttpClosedException || t instanceof StreamResetException) {
      return RelayError.of(ErrorType.UPSTREAM_UNAVAILABLE, "The upstream closed the connection early");
    }
    if (t instanceof ReplyException re) {
      if (re.failureType() == ReplyFailure.RECIPIENT_FAILURE && re.failureCode() >= 400) {
        return RelayError.of(ErrorType.INTERNAL, "Provider failure: " + re.getMessage()).withStatus(re.failureCode());
      }
      // Never the bus's own words: they name internal addresses.
      return RelayError.of(ErrorType.UPSTREAM_UNAVAILABLE, re.failureType() == ReplyFailure.TIMEOUT
        ? "No provider answered in time" : "No provider is available");
    }
    if (t instanceof IOException) {
      return RelayError.of(ErrorType.UPSTREAM_UNAVAILABLE, "Upstream I/O failure: " + t.getMessage());
    }
    return RelayError.of(ErrorType.INTERNAL, "Internal error: " + t);
  }

  /** How long a client refused with {@code overloaded} is told to wait. */
  public static final long OVERLOAD_RETRY_MS = 1_000;

  /** The relay's own overload: its admission limit is reached. */
  public static RelayError overloaded(int limit) {
    return new RelayError(ErrorType.OVERLOADED, 503, "The relay is overloaded: it already holds its limit of "
      + limit + " upstream streams; try again shortly", OVERLOAD_RETRY_MS, null);
  }

  /** Whether a failure before the first byte may pass if the same request is sent again (after a backoff). */
  public static boolean retryable(RelayError error) {
    return error.type() == ErrorType.RATE_LIMIT || countsAgainstRoute(error);
  }

  /**
   * Whether a failure before the first byte says the route (the model) is unhealthy. Not a rate limit
   * (the upstream is well and asks for patience), not a final answer (4xx), not the relay's own overload.
   */
  public static boolean countsAgainstRoute(RelayError error) {
    return switch (error.type()) {
      case TIMEOUT, UPSTREAM_UNAVAILABLE, UPSTREAM_PROTOCOL -> true;
      default -> false;
    };
  }

  /** {@code Retry-After} in seconds (the only form OpenRouter documents) to milliseconds; -1 if absent. */
  public static long parseRetryAfter(String header) {
    if (header == null || header.isBlank()) {
      return -1;
    }
    try {
      return Math.max(0, Math.round(Double.parseDouble(header.trim()) * 1000));
    } catch (NumberFormatException httpDate) {
      return -1;
    }
  }

  private static ErrorType typeOf(int status, String errorType, String message) {
    if (errorType != null) {
      switch (errorType) {
        case "context_length_exceeded", "max_tokens_exceeded":
          return ErrorType.CONTEXT_LENGTH;
        case "rate_limit_exceeded":
          return ErrorType.RATE_LIMIT;
        case "provider_overloaded", "provider_unavailable", "server", "server_error":
          return ErrorType.UPSTREAM_UNAVAILABLE;
        case "authentication":
          return ErrorType.AUTH;
        case "payment_required":
          return ErrorType.PAYMENT_REQUIRED;
        case "permission_denied", "content_policy_violation":
          return ErrorType.FORBIDDEN;
        case "timeout":
          return ErrorType.TIMEOUT;
        case "invalid_request":
          return ErrorType.BAD_REQUEST;
        default:
          break;
      }
    }
    String lower = message == null ? "" : message.toLowerCase(Locale.ROOT);
    return switch (status) {
      case 400, 413, 422 -> lower.contains("context length") || lower.contains("context_length")
        || lower.contains("context window") || lower.contains("maximum context")
        ? ErrorType.CONTEXT_LENGTH : ErrorType.BAD_REQUEST;
      case 401 -> ErrorType.AUTH;
      case 402 -> ErrorType.PAYMENT_REQUIRED;
      case 403 -> ErrorType.FORBIDDEN;
      case 408, 504, 524 -> ErrorType.TIMEOUT;
      case 429 -> ErrorType.RATE_LIMIT;
      default -> status >= 500 ? ErrorType.UPSTREAM_UNAVAILABLE : ErrorType.BAD_REQUEST;
    };
  }

  private static int clientStatus(ErrorType type, int upstreamStatus) {
    return switch (type) {
      case BAD_REQUEST, CONTEXT_LENGTH -> upstreamStatus >= 400 && upstreamStatus < 500 ? upstreamStatus : 400;
      case UPSTREAM_UNAVAILABLE -> upstreamStatus == 503 ? 503 : 502;
      default -> type.defaultStatus();
    };
  }

  private static String textOrNull(JsonNode node) {
    return node == null || node.isNull() ? null : node.asText();
  }
}
