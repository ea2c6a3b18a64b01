package dev.llmrelay.edge;

import dev.llmrelay.config.SecurityConfig;

/**
 * What one client key may use: requests per minute, concurrent streams, tokens per minute, and spend
 * per UTC day and month in nano-dollars (whole numbers, so spend adds up exactly on every node). 0 means
 * no limit.
 */
public record Quota(int requestsPerMinute, int concurrentStreams, long tokensPerMinute, long dailyNanos,
                    long monthlyNanos) {

  static final Quota NONE = new Quota(0, 0, 0, 0, 0);
  static final double NANOS_PER_USD = 1e9;

  static Quota of(SecurityConfig.Limits limits, SecurityConfig.Budget budget) {
    SecurityConfig.Budget b = budget == null ? SecurityConfig.Budget.NONE : budget;
    return new Quota(limits.requestsPerMinute(), limits.concurrentStreams(), limits.tokensPerMinute(),
      nanos(b.dailyUsd()), nanos(b.monthlyUsd()));
  }

  static long nanos(double usd) {
    return Math.round(usd * NANOS_PER_USD);
  }

  static double usd(long nanos) {
    return nanos / NANOS_PER_USD;
  }

  /** Whether nothing is limited, so there is nothing to count. */
  boolean none() {
    return requestsPerMinute <= 0 && concurrentStreams <= 0 && tokensPerMinute <= 0 && dailyNanos <= 0
      && monthlyNanos <= 0;
  }
}
