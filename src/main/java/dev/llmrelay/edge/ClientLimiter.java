package dev.llmrelay.edge;

import dev.llmrelay.config.RelayConfig;
import dev.llmrelay.error.ErrorType;
import dev.llmrelay.error.RelayError;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Per-key limits shared by every router instance of this JVM: requests per minute, concurrent
 * streams, and tokens per minute charged as a stream's deltas arrive and settled from its final
 * usage. A refusal is a {@code rate_limit} error with the wait until the limit lets the key in again.
 * Limits are per JVM: behind a balancer over N edge nodes a key gets up to N times them.
 */
final class ClientLimiter {

  /** Which limit refused a request, for the metrics. */
  enum Limit { REQUESTS, CONCURRENCY, TOKENS }

  /** A refusal: the limit that tripped and the error for the client. */
  record Refusal(Limit limit, RelayError error) {
  }

  private final Map<String, State> states = new ConcurrentHashMap<>();
  private final LongSupplier clock;

  ClientLimiter(LongSupplier clock) {
    this.clock = clock;
  }

  /** Admits one completion request for {@code client} (then {@link #release} it once), or refuses it. */
  Refusal admit(Client client) {
    return state(client).admit(client, clock.getAsLong());
  }

  void release(Client client) {
    state(client).release();
  }

  /** Charges tokens to the client's per-minute budget; negative amounts are ignored (no refunds). */
  void charge(Client client, long tokens) {
    if (tokens > 0 && client.limits().tokensPerMinute() > 0) {
      state(client).charge(clock.getAsLong(), tokens);
    }
  }

  private State state(Client client) {
    return states.computeIfAbsent(client.id(), id -> new State());
  }

  private static final class State {
    private final SlidingWindow requests = new SlidingWindow();
    private final SlidingWindow tokens = new SlidingWindow();
    private int active;

    synchronized Refusal admit(Client client, long now) {
      RelayConfig.Limits limits = client.limits();
      if (limits.concurrentStreams() > 0 && active >= limits.concurrentStreams()) {
        return refuse(Limit.CONCURRENCY, client, limits.concurrentStreams() + " concurrent requests", 1000);
      }
      if (limits.requestsPerMinute() > 0 && requests.sum(now) >= limits.requestsPerMinute()) {
        return refuse(Limit.REQUESTS, client, limits.requestsPerMinute() + " requests per minute",
          requests.msUntilBelow(now, limits.requestsPerMinute()));
      }
      if (limits.tokensPerMinute() > 0 && tokens.sum(now) >= limits.tokensPerMinute()) {
        return refuse(Limit.TOKENS, client, limits.tokensPerMinute() + " tokens per minute",
          tokens.msUntilBelow(now, limits.tokensPerMinute()));
      }
      requests.add(now, 1);
      active++;
      return null;
    }

    synchronized void release() {
      active = Math.max(0, active - 1);
    }

    synchronized void charge(long now, long amount) {
      tokens.add(now, amount);
    }

    private static Refusal refuse(Limit limit, Client client, String what, long waitMs) {
      long wait = Math.max(1000, waitMs);
      return new Refusal(limit, new RelayError(ErrorType.RATE_LIMIT, 429, "Client rate limit reached: key "
        + client.id() + " may use " + what + "; retry in " + (wait + 999) / 1000 + " s", wait, null));
    }
  }
}
