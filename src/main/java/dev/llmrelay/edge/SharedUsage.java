package dev.llmrelay.edge;

import io.vertx.core.Future;

/**
 * The per-key usage every edge node of a cluster shares, so a key's limits and budgets hold across the
 * cluster rather than per process. Each call is one atomic step on the key's shared {@link KeyUsage};
 * {@code dev.llmrelay.cluster.HazelcastUsage} keeps it in the cluster manager's Hazelcast. Futures
 * complete on the caller's context.
 */
public interface SharedUsage {

  /** The answer to an admission: the refusal (null when admitted) and the key's spend so far. */
  record Verdict(Denial denial, long daySpent, long monthSpent) {
  }

  /** This node's id, under which its open streams are counted. */
  String node();

  /**
   * Admits one request of {@code key} on this node (counting it and one open stream) or refuses it,
   * weighing this node's charges not yet {@link #apply applied} as if they were.
   */
  Future<Verdict> admit(String key, Quota quota, long now, long pendingTokens, long pendingNanos);

  /** Adds this node's tokens and spend for {@code key} and frees {@code released} of its streams there. */
  Future<Void> apply(String key, long now, long tokens, long nanos, int released);

  /** A cheap call that succeeds only while the shared usage is reachable. */
  Future<Void> ping();

  /** Stops listening to the cluster. */
  default void close() {
  }
}
