package dev.llmrelay.config;

/**
 * The circuit breakers (one per upstream route, that is per model) and the retry policy around opening
 * the upstream stream. A route's breaker opens when at least {@code failureRatePercent} of at least
 * {@code minimumCalls} calls in the last {@code failureWindowMs} failed for the upstream's own reasons
 * (not 4xx answers, not rate limits, not the relay's own overload); it fails that route fast for
 * {@code resetTimeoutMs}, then lets one probe through. At most {@code maxRoutes} routes are tracked
 * (idle closed ones are forgotten). Retries back off exponentially with full jitter between
 * {@code initialDelayMs} and {@code maxDelayMs}, and stop when the next try would start after
 * {@code deadlineMs} from the first.
 */
public record BreakerConfig(int failureRatePercent, int minimumCalls, long failureWindowMs, long resetTimeoutMs,
                            int maxRetries, long initialDelayMs, long maxDelayMs, long deadlineMs, int maxRoutes) {

  public static final int DEFAULT_MAX_ROUTES = 1_000;

  public BreakerConfig {
    if (failureRatePercent < 1 || failureRatePercent > 100) {
      throw new IllegalArgumentException("breaker.failureRatePercent must be 1..100, not " + failureRatePercent);
    }
    if (minimumCalls < 1) {
      throw new IllegalArgumentException("breaker.minimumCalls must be 1 or more, not " + minimumCalls);
    }
    maxRoutes = maxRoutes <= 0 ? DEFAULT_MAX_ROUTES : maxRoutes;
  }

  /** When a route's breaker opens: the failure rate, the minimum calls and the window, and how long it stays open. */
  public BreakerConfig withOpening(int ratePercent, int calls, long windowMs, long resetMs) {
    return new BreakerConfig(ratePercent, calls, windowMs, resetMs, maxRetries, initialDelayMs, maxDelayMs, deadlineMs,
      maxRoutes);
  }

  /** The retry policy: at most {@code retries} more tries, backing off between the delays, within the deadline. */
  public BreakerConfig withRetries(int retries, long initialMs, long maxMs, long deadline) {
    return new BreakerConfig(failureRatePercent, minimumCalls, failureWindowMs, resetTimeoutMs, retries, initialMs,
      maxMs, deadline, maxRoutes);
  }

  public BreakerConfig withMaxRoutes(int routes) {
    return new BreakerConfig(failureRatePercent, minimumCalls, failureWindowMs, resetTimeoutMs, maxRetries,
      initialDelayMs, maxDelayMs, deadlineMs, routes);
  }
}
