package dev.llmrelay.error;

import io.vertx.core.json.JsonObject;

/**
 * One failure as the client sees it: its type, the HTTP status, a readable message and, when the
 * upstream said so, how long to wait before trying again. Immutable, so it travels on the event bus.
 *
 * @param retryAfterMs milliseconds to wait before a retry, or -1 when unknown
 * @param field the request field at fault for {@code bad_request}, else null
 */
public record RelayError(ErrorType type, int status, String message, long retryAfterMs, String field) {

  public static RelayError of(ErrorType type, String message) {
    return new RelayError(type, type.defaultStatus(), message, -1, null);
  }

  public static RelayError badRequest(String field, String problem) {
    return new RelayError(ErrorType.BAD_REQUEST, 400, field + ": " + problem, -1, field);
  }

  public RelayError withRetryAfter(long ms) {
    return new RelayError(type, status, message, ms, field);
  }

  public RelayError withStatus(int newStatus) {
    return new RelayError(type, newStatus, message, retryAfterMs, field);
  }

  public boolean retryable() {
    return type.retryable();
  }

  public RelayException exception() {
    return new RelayException(this);
  }

  /** The body of an {@code event: error} and of a JSON error response. */
  public JsonObject toJson() {
    JsonObject json = new JsonObject()
      .put("error", message)
      .put("type", type.wireName())
      .put("status", status)
      .put("retryable", retryable());
    if (retryAfterMs >= 0) {
      json.put("retryAfterMs", retryAfterMs);
    }
    if (field != null) {
      json.put("field", field);
    }
    return json;
  }
}
