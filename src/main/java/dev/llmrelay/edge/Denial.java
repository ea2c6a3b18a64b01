package dev.llmrelay.edge;

/**
 * Why a key's request was refused: the limit that tripped, how long until it lets the key in again, and
 * for a budget what was spent of how much (nano-dollars). Plain numbers, so a cluster member can send it.
 */
public record Denial(Limit limit, long waitMs, long spentNanos, long budgetNanos) {

  /** The limits a request can trip, in the order they are checked. */
  public enum Limit {
    MONTHLY_BUDGET, DAILY_BUDGET, CONCURRENCY, REQUESTS, TOKENS;

    boolean budget() {
      return this == MONTHLY_BUDGET || this == DAILY_BUDGET;
    }
  }
}
