package dev.llmrelay.edge;

/**
 * Amounts added over the last minute, in sixty one-second buckets: enough precision for per-minute
 * limits, constant memory however many tokens stream. Not thread-safe; {@link ClientLimiter} locks.
 */
final class SlidingWindow {

  static final int SECONDS = 60;

  private final long[] amounts = new long[SECONDS];
  private final long[] seconds = new long[SECONDS];

  SlidingWindow() {
    java.util.Arrays.fill(seconds, Long.MIN_VALUE);
  }

  void add(long nowMs, long amount) {
    long second = Math.floorDiv(nowMs, 1000);
    int slot = (int) Math.floorMod(second, SECONDS);
    if (seconds[slot] != second) {
      seconds[slot] = second;
      amounts[slot] = 0;
    }
    amounts[slot] += amount;
  }

  /** The total added during the current second and the 59 before it. */
  long sum(long nowMs) {
    long second = Math.floorDiv(nowMs, 1000);
    long total = 0;
    for (int i = 0; i < SECONDS; i++) {
      if (live(seconds[i], second)) {
        total += amounts[i];
      }
    }
    return total;
  }

  /** Milliseconds until the sum drops below {@code limit} as old seconds leave the window (0 if it is). */
  long msUntilBelow(long nowMs, long limit) {
    long second = Math.floorDiv(nowMs, 1000);
    long remaining = sum(nowMs);
    for (long s = second - SECONDS + 1; s <= second && remaining >= limit; s++) {
      int slot = (int) Math.floorMod(s, SECONDS);
      if (seconds[slot] == s) {
        remaining -= amounts[slot];
        if (remaining < limit) {
          return (s + SECONDS) * 1000 - nowMs;
        }
      }
    }
    return remaining < limit ? 0 : SECONDS * 1000L;
  }

  private static boolean live(long bucketSecond, long nowSecond) {
    return bucketSecond > nowSecond - SECONDS && bucketSecond <= nowSecond;
  }
}
