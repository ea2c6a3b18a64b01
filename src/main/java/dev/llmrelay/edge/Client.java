package dev.llmrelay.edge;

import dev.llmrelay.config.SecurityConfig;

/**
 * Who a request comes from: the configured key's name (the only thing about a key that reaches logs
 * and metrics) and the limits and spend budget that hold for it.
 */
public record Client(String id, SecurityConfig.Limits limits, SecurityConfig.Budget budget) {

  /** Everyone, while no client keys are configured (loopback only, no limits). */
  static final Client ANONYMOUS = new Client("anonymous", new SecurityConfig.Limits(0, 0, 0));

  public Client {
    budget = budget == null ? SecurityConfig.Budget.NONE : budget;
  }

  /** Without a budget. */
  public Client(String id, SecurityConfig.Limits limits) {
    this(id, limits, null);
  }

  Quota quota() {
    return Quota.of(limits, budget);
  }
}
