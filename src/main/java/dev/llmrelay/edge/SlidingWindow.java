package dev.llmrelay.edge;

/**
 * Amounts added over the last minute, in sixty one-second buckets: enough precision for per-minute
 * limits, constant memory however many tokens stream. Not thread-safe; {@link KeyUsage}'s owner locks.
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

  /**
   * Writes the buckets not yet out of the window at {@code nowMs}, so an idle key's window travels (in a
   * cluster) as a byte.
   */
  void write(java.io.DataOutput out, long nowMs) throws java.io.IOException {
    long oldest = Math.floorDiv(nowMs, 1000) - SECONDS;
    int live = 0;
    for (int i = 0; i < SECONDS; i++) {
      if (seconds[i] > oldest && amounts[i] != 0) {
        live++;
      }
    }
    out.writeByte(live);
    for (int i = 0; i < SECONDS; i++) {
      if (seconds[i] > oldest && amounts[i] != 0) {
        out.writeLong(seconds[i]);
        out.writeLong(amounts[i]);
      }
    }
  }

  static SlidingWindow read(java.io.DataInput in) throws java.io.IOException {
    SlidingWindow window = new SlidingWindow();
    int live = in.readUnsignedByte();
    for (int i = 0; i < live; i++) {
      long second = in.readLong();
      int slot = (int) Math.floorMod(second, SECONDS);
      window.seconds[slot] = second;
      window.amounts[slot] = in.readLong();
    }
    return window;
  }

  private static boolean live(long bucketSecond, long nowSecond) {
    return bucketSecond > nowSecond - SECONDS && bucketSecond <= nowSecond;
  }
}
