package dev.llmrelay.testing;

import java.util.function.BooleanSupplier;

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
}
