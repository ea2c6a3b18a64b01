package dev.llmrelay.upstream;

import io.vertx.circuitbreaker.RetryPolicy;

/**
 * How long to wait before retry number {@code attempt} (from 1) after {@code failure}. A
 * {@code Retry-After} from the upstream is honoured on top of this, as a lower bound.
 */
@FunctionalInterface
public interface RetryDelay {

  long delayMs(Throwable failure, int attempt);

  /** Exponential backoff with full jitter: a random wait in [0, min(max, initial * 2^attempt)). */
  static RetryDelay exponentialWithJitter(long initialMs, long maxMs) {
    RetryPolicy policy = RetryPolicy.exponentialDelayWithJitter(initialMs, maxMs);
    return policy::delay;
  }
}
