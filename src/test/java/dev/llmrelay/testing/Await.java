package dev.llmrelay.testing;

import java.util.function.BooleanSupplier;
import java.util.function.IntSupplier;

import static org.junit.jupiter.api.Assertions.fail;

/** Waits for an asynchronous effect with a deadline, polling; fails the test when the deadline passes. */
public final class Await {

  private Await() {
  }

  /** Returns how many milliseconds it took for {@code condition} to hold. */
  public static long until(BooleanSupplier condition, long timeoutMs, String what) {
    long start = System.nanoTime();
    long deadline = start + timeoutMs * 1_000_000;
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        fail("not within " + timeoutMs + " ms: " + what);
      }
      try {
        Thread.sleep(5);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        fail("interrupted waiting for " + what);
      }
    }
    return (System.nanoTime() - start) / 1_000_000;
  }

  /**
   * Waits until {@code counter} has not changed for {@code quietMs}, and returns its value then: a
   * stall that lasts, not a moment's pause (a write queue can be full for an instant while the peer
   * still drains kernel buffers).
   */
  public static int quiet(IntSupplier counter, long quietMs, long timeoutMs, String what) {
    int[] last = {counter.getAsInt()};
    long[] since = {System.nanoTime()};
    until(() -> {
      int now = counter.getAsInt();
      long t = System.nanoTime();
      if (now != last[0]) {
        last[0] = now;
        since[0] = t;
        return false;
      }
      return t - since[0] >= quietMs * 1_000_000;
    }, timeoutMs, what);
    return last[0];
  }
}
