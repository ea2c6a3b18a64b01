package dev.llmrelay.error;

/**
 * The closed vocabulary of failures a client of the relay can see. Each type has the HTTP status it
 * maps to when the client can still read one, and whether trying again later can succeed.
 */
public enum ErrorType {
  BAD_REQUEST("bad_request", 400, false),
  AUTH("auth", 401, false),
  PAYMENT_REQUIRED("payment_required", 402, false),
  FORBIDDEN("forbidden", 403, false),
  CONTEXT_LENGTH("context_length", 400, false),
  RATE_LIMIT("rate_limit", 429, true),
  TIMEOUT("timeout", 504, true),
  UPSTREAM_UNAVAILABLE("upstream_unavailable", 502, true),
  CIRCUIT_OPEN("circuit_open", 503, true),
  UPSTREAM_PROTOCOL("upstream_protocol", 502, true),
  /** The relay's own admission limit (or a node draining for shutdown): refused at once, never queued. */
  OVERLOADED("overloaded", 503, true),
  /** A client key has spent its daily or monthly budget: refused before any upstream call. */
  BUDGET_EXCEEDED("budget_exceeded", 402, false),
  CANCELLED("cancelled", 499, false),
  INTERNAL("internal", 500, false);

  private final String wireName;
  private final int defaultStatus;
  private final boolean retryable;

  ErrorType(String wireName, int defaultStatus, boolean retryable) {
    this.wireName = wireName;
    this.defaultStatus = defaultStatus;
    this.retryable = retryable;
  }

  /** The name clients match on, e.g. {@code rate_limit}. */
  public String wireName() {
    return wireName;
  }

  public int defaultStatus() {
    return defaultStatus;
  }

  public boolean retryable() {
    return retryable;
  }

  public static ErrorType fromWireName(String name) {
    for (ErrorType t : values()) {
      if (t.wireName.equals(name)) {
        return t;
      }
    }
    throw new IllegalArgumentException("unknown error type " + name);
  }
}
