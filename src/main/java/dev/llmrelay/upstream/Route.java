package dev.llmrelay.upstream;

import io.vertx.circuitbreaker.CircuitBreaker;
import io.vertx.circuitbreaker.CircuitBreakerState;
import io.vertx.core.json.JsonObject;

/**
 * The health of one upstream route (one model): its circuit breaker, the calls and failures of the
 * last window in ten buckets, and a rate-limit backoff. The breaker opens on a failure rate over a
 * minimum number of calls, never on a bare count, so a busy route is judged by its share of failures
 * and a quiet one is not opened by two unlucky calls. Called from every provider instance's event
 * loop, hence synchronized; each call is a few arithmetic steps.
 */
final class Route {

  private static final int BUCKETS = 10;

  private final String name;
  private final CircuitBreaker breaker;
  private final int ratePercent;
  private final int minimumCalls;
  private final long bucketMs;
  private final long[] bucketStart = new long[BUCKETS];
  private final int[] calls = new int[BUCKETS];
  private final int[] failures = new int[BUCKETS];
  private long lastUsed;
  private long rateLimitedUntil;

  Route(String name, CircuitBreaker breaker, int ratePercent, int minimumCalls, long windowMs, long now) {
    this.name = name;
    this.breaker = breaker;
    this.ratePercent = ratePercent;
    this.minimumCalls = minimumCalls;
    this.bucketMs = Math.max(1, windowMs / BUCKETS);
    this.lastUsed = now;
  }

  String name() {
    return name;
  }

  CircuitBreaker breaker() {
    return breaker;
  }

  synchronized void used(long now) {
    lastUsed = now;
  }

  /**
   * Counts one call that reached the upstream (or failed to) and opens the breaker when the window's
   * failure rate reaches the threshold over at least the minimum calls. The window starts afresh then.
   */
  void record(boolean failed, long now) {
    boolean open;
    synchronized (this) {
      lastUsed = now;
      int slot = slot(now);
      calls[slot]++;
      if (failed) {
        failures[slot]++;
      }
      long[] window = window(now);
      open = failed && window[0] >= minimumCalls && window[1] * 100 >= ratePercent * window[0];
      if (open) {
        java.util.Arrays.fill(calls, 0);
        java.util.Arrays.fill(failures, 0);
      }
    }
    if (open && breaker.state() == CircuitBreakerState.CLOSED) {
      breaker.open();
    }
  }

  /** {calls, failures} in the buckets of the last window. */
  private long[] window(long now) {
    long[] totals = new long[2];
    long oldest = now - bucketMs * BUCKETS;
    for (int i = 0; i < BUCKETS; i++) {
      if (bucketStart[i] > oldest) {
        totals[0] += calls[i];
        totals[1] += failures[i];
      }
    }
    return totals;
  }

  private int slot(long now) {
    long start = now - now % bucketMs;
    int slot = (int) ((now / bucketMs) % BUCKETS);
    if (bucketStart[slot] != start) {
      bucketStart[slot] = start;
      calls[slot] = 0;
      failures[slot] = 0;
    }
    return slot;
  }

  /** The upstream asked this route to wait (a 429 with Retry-After): no call for it before then. */
  synchronized void rateLimited(long untilMs) {
    rateLimitedUntil = Math.max(rateLimitedUntil, untilMs);
  }

  /** How long this route must still wait after a rate limit; 0 when it may call. */
  synchronized long rateLimitWait(long now) {
    return Math.max(0, rateLimitedUntil - now);
  }

  /** Closed, past any backoff and unused for {@code idleMs}: nothing is lost by forgetting it. */
  synchronized boolean idle(long now, long idleMs) {
    return breaker.state() == CircuitBreakerState.CLOSED && now - lastUsed >= idleMs && rateLimitedUntil <= now;
  }

  synchronized long lastUsed() {
    return lastUsed;
  }

  JsonObject toJson(long now) {
    long wait = rateLimitWait(now);
    JsonObject json = new JsonObject().put("route", name).put("state", breaker.state().name());
    synchronized (this) {
      long[] window = window(now);
      json.put("calls", window[0]).put("failures", window[1]);
    }
    if (wait > 0) {
      json.put("rateLimitedForMs", wait);
    }
    return json;
  }
}
