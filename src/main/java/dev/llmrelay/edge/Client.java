package dev.llmrelay.edge;

import dev.llmrelay.config.RelayConfig;

/**
 * Who a request comes from: the configured key's name (the only thing about a key that reaches logs
 * and metrics) and the limits that hold for it.
 */
public record Client(String id, RelayConfig.Limits limits) {

  /** Everyone, while no client keys are configured (loopback only, no limits). */
  static final Client ANONYMOUS = new Client("anonymous", new RelayConfig.Limits(0, 0, 0));
}
