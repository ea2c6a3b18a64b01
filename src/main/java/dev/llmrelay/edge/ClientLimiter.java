package dev.llmrelay.edge;

import dev.llmrelay.error.ErrorType;
import dev.llmrelay.error.RelayError;
import io.vertx.core.Future;

import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Per-key limits and budgets, shared by every router instance of this JVM: requests per minute,
 * concurrent streams, tokens per minute (charged as a stream's deltas arrive and settled from its final
 * usage) and spend per UTC day and month. A refusal is a {@code rate_limit} error with the wait until
 * the limit lets the key in again, or a {@code budget_exceeded} one naming the period.
 *
 * <p>Standalone, the limits hold per process and admission is a local, synchronous step. On a cluster
 * node with a {@link SharedLimiter} they hold across the cluster; this process's own counts are kept all
 * the same, so that when the cluster's data is out of reach the node goes on with per-process limits
 * that know its own recent use.
 */
final class ClientLimiter {

  /** The admission of one request: its refusal, or a slot to {@link #release} once its response is over. */
  static final class Ticket {
    private static final Ticket FREE = new Ticket(null, null, null, false);

    private final ClientLimiter limiter;
    private final Client client;
    private final Denial denial;
    private final boolean shared;
    private boolean released;

    private Ticket(ClientLimiter limiter, Client client, Denial denial, boolean shared) {
      this.limiter = limiter;
      this.client = client;
      this.denial = denial;
      this.shared = shared;
    }

    /** Why the request was refused, or null. */
    Denial denial() {
      return denial;
    }

    /** The client's error for a refusal. */
    RelayError error() {
      return ClientLimiter.error(client, denial);
    }

    /** Frees the request's stream slot, here and (if it was admitted there) in the cluster; once. */
    void release() {
      if (limiter == null || denial != null || released) {
        return;
      }
      released = true;
      limiter.release(client, shared);
    }
  }

  static final String LOCAL_NODE = "local";

  private final Map<String, KeyUsage> usages = new ConcurrentHashMap<>();
  private final LongSupplier clock;
  private SharedLimiter shared;

  ClientLimiter(LongSupplier clock) {
    this.clock = clock;
  }

  /** From now on, limits hold across the cluster through {@code limiter}. */
  void share(SharedLimiter limiter) {
    this.shared = limiter;
  }

  SharedLimiter shared() {
    return shared;
  }

  /**
   * Admits one completion request for {@code client} (then {@link Ticket#release} it once), or refuses it.
   * Standalone, and for a key without limits, the future is already complete.
   */
  Future<Ticket> admit(Client client) {
    Quota quota = client.quota();
    if (quota.none()) {
      return Future.succeededFuture(Ticket.FREE);
    }
    if (shared != null && shared.clusterMode()) {
      return shared.admit(client, quota);
    }
    return Future.succeededFuture(admitHere(client, quota));
  }

  /** Decides by this process's counts alone. */
  Ticket admitHere(Client client, Quota quota) {
    KeyUsage usage = usage(client);
    Denial denial;
    synchronized (usage) {
      denial = usage.admit(quota, clock.getAsLong(), LOCAL_NODE, 0, 0);
    }
    return new Ticket(this, client, denial, false);
  }

  /** The cluster admitted the request: count it here too, and remember the key's spend the cluster reported. */
  Ticket admittedShared(Client client, SharedUsage.Verdict verdict, long now) {
    KeyUsage usage = usage(client);
    synchronized (usage) {
      usage.atLeast(now, verdict.daySpent(), verdict.monthSpent());
      if (verdict.denial() == null) {
        usage.record(now, LOCAL_NODE);
      }
    }
    return new Ticket(this, client, verdict.denial(), verdict.denial() == null);
  }

  private void release(Client client, boolean wasShared) {
    KeyUsage usage = usage(client);
    synchronized (usage) {
      usage.release(LOCAL_NODE, 1);
    }
    if (wasShared && shared != null) {
      shared.release(client);
    }
  }

  /**
   * Charges tokens to the client's minute and nano-dollars to its day and month; negative amounts are
   * ignored (no refunds).
   */
  void charge(Client client, long tokens, long nanos) {
    long t = Math.max(0, tokens);
    long n = Math.max(0, nanos);
    // Once per token: decided from the client's settings, without building its quota.
    boolean budgeted = client.budget().dailyUsd() > 0 || client.budget().monthlyUsd() > 0;
    if ((t == 0 || client.limits().tokensPerMinute() <= 0) && (n == 0 || !budgeted)) {
      return;
    }
    KeyUsage usage = usage(client);
    long now = clock.getAsLong();
    synchronized (usage) {
      usage.charge(now, t, n);
    }
    if (shared != null) {
      shared.charge(client, t, n);
    }
  }

  long now() {
    return clock.getAsLong();
  }

  private KeyUsage usage(Client client) {
    return usages.computeIfAbsent(client.id(), id -> new KeyUsage());
  }

  static RelayError error(Client client, Denial denial) {
    return switch (denial.limit()) {
      case MONTHLY_BUDGET, DAILY_BUDGET -> budgetError(client, denial);
      case CONCURRENCY -> rateLimit(client, client.limits().concurrentStreams() + " concurrent requests", denial);
      case REQUESTS -> rateLimit(client, client.limits().requestsPerMinute() + " requests per minute", denial);
      case TOKENS -> rateLimit(client, client.limits().tokensPerMinute() + " tokens per minute", denial);
    };
  }

  private static RelayError rateLimit(Client client, String what, Denial denial) {
    long wait = Math.max(1000, denial.waitMs());
    return new RelayError(ErrorType.RATE_LIMIT, 429, "Client rate limit reached: key " + client.id() + " may use "
      + what + "; retry in " + (wait + 999) / 1000 + " s", wait, null);
  }

  private static RelayError budgetError(Client client, Denial denial) {
    String period = denial.limit() == Denial.Limit.DAILY_BUDGET ? "daily" : "monthly";
    String span = denial.limit() == Denial.Limit.DAILY_BUDGET ? "UTC day" : "UTC month";
    return RelayError.of(ErrorType.BUDGET_EXCEEDED, "Budget exceeded: key " + client.id() + " has spent "
      + dollars(denial.spentNanos()) + " of its " + period + " budget of " + dollars(denial.budgetNanos())
      + " this " + span + "; it renews in " + renewsIn(denial.waitMs()));
  }

  static String dollars(long nanos) {
    return String.format(Locale.ROOT, "$%.4f", Quota.usd(nanos));
  }

  private static String renewsIn(long waitMs) {
    long minutes = Math.max(1, (waitMs + 59_999) / 60_000);
    return minutes < 120 ? minutes + " min" : (minutes + 59) / 60 + " h";
  }
}
