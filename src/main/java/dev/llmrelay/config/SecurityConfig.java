package dev.llmrelay.config;

import java.util.List;

/**
 * The edge: client keys (SHA-256 hex digests, never the keys), the per-key limits and spend budget
 * (defaults for keys without their own), the browser token lifetime, input limits, CORS and the page's
 * Content-Security-Policy, and how a cluster node shares the limits ({@link ClusterLimits}).
 * {@code tokenSecret} comes from the environment only and {@link #toString()} masks it.
 */
public record SecurityConfig(List<ClientKey> clientKeys, Limits limits, long tokenTtlMs, String tokenSecret,
                             int maxMessages, int maxTotalChars, Cors cors, String contentSecurityPolicy,
                             boolean publicMetrics, Budget budget, ClusterLimits clusterLimits) {

  public SecurityConfig {
    budget = budget == null ? Budget.NONE : budget;
    clusterLimits = clusterLimits == null ? ClusterLimits.DEFAULTS : clusterLimits;
  }

  /** Without budgets, and with the default cluster settings. */
  public SecurityConfig(List<ClientKey> clientKeys, Limits limits, long tokenTtlMs, String tokenSecret,
                        int maxMessages, int maxTotalChars, Cors cors, String contentSecurityPolicy,
                        boolean publicMetrics) {
    this(clientKeys, limits, tokenTtlMs, tokenSecret, maxMessages, maxTotalChars, cors, contentSecurityPolicy,
      publicMetrics, null, null);
  }

  public SecurityConfig withClientKeys(List<ClientKey> keys) {
    return new SecurityConfig(keys, limits, tokenTtlMs, tokenSecret, maxMessages, maxTotalChars, cors,
      contentSecurityPolicy, publicMetrics, budget, clusterLimits);
  }

  public SecurityConfig withTokenSecret(String secret) {
    return new SecurityConfig(clientKeys, limits, tokenTtlMs, secret, maxMessages, maxTotalChars, cors,
      contentSecurityPolicy, publicMetrics, budget, clusterLimits);
  }

  public SecurityConfig withLimits(Limits newLimits) {
    return new SecurityConfig(clientKeys, newLimits, tokenTtlMs, tokenSecret, maxMessages, maxTotalChars, cors,
      contentSecurityPolicy, publicMetrics, budget, clusterLimits);
  }

  public SecurityConfig withInputLimits(int messages, int totalChars) {
    return new SecurityConfig(clientKeys, limits, tokenTtlMs, tokenSecret, messages, totalChars, cors,
      contentSecurityPolicy, publicMetrics, budget, clusterLimits);
  }

  public SecurityConfig withCors(Cors newCors) {
    return new SecurityConfig(clientKeys, limits, tokenTtlMs, tokenSecret, maxMessages, maxTotalChars, newCors,
      contentSecurityPolicy, publicMetrics, budget, clusterLimits);
  }

  /** The default spend budget of keys without their own. */
  public SecurityConfig withBudget(Budget newBudget) {
    return new SecurityConfig(clientKeys, limits, tokenTtlMs, tokenSecret, maxMessages, maxTotalChars, cors,
      contentSecurityPolicy, publicMetrics, newBudget, clusterLimits);
  }

  public SecurityConfig withClusterLimits(ClusterLimits newClusterLimits) {
    return new SecurityConfig(clientKeys, limits, tokenTtlMs, tokenSecret, maxMessages, maxTotalChars, cors,
      contentSecurityPolicy, publicMetrics, budget, newClusterLimits);
  }

  /** Whether clients must present a key; without keys the relay only listens on loopback. */
  public boolean authEnabled() {
    return clientKeys != null && !clientKeys.isEmpty();
  }

  @Override
  public String toString() {
    return "Security[clientKeys=" + (clientKeys == null ? 0 : clientKeys.size()) + ", limits=" + limits
      + ", budget=" + budget + ", tokenSecret=" + (tokenSecret == null ? "random" : "***") + "]";
  }

  /**
   * One client key: a name for logs and metrics, the SHA-256 hex digest of the key, and limits and a
   * budget that replace {@link SecurityConfig#limits()} and {@link SecurityConfig#budget()} for it (null: the
   * defaults).
   */
  public record ClientKey(String id, String sha256, Limits limits, Budget budget) {

    /** With the default budget. */
    public ClientKey(String id, String sha256, Limits limits) {
      this(id, sha256, limits, null);
    }
  }

  /** Per-key limits; 0 means unlimited. Tokens are charged as they stream and settled from usage. */
  public record Limits(int requestsPerMinute, int concurrentStreams, long tokensPerMinute) {
  }

  /**
   * A key's spend budget in US dollars per UTC day and per UTC month; 0 (or absent) means none. Spend is
   * the upstream's reported cost of each stream, else the catalog's prices times its tokens.
   */
  public record Budget(Double dailyUsd, Double monthlyUsd) {

    public static final Budget NONE = new Budget(0.0, 0.0);

    public Budget {
      dailyUsd = dailyUsd == null ? 0.0 : dailyUsd;
      monthlyUsd = monthlyUsd == null ? 0.0 : monthlyUsd;
      if (dailyUsd < 0 || monthlyUsd < 0 || dailyUsd.isNaN() || monthlyUsd.isNaN()) {
        throw new IllegalArgumentException("budget: dailyUsd and monthlyUsd must be 0 (none) or more");
      }
    }
  }

  /**
   * How a cluster node shares the per-key limits and budgets (ignored standalone): a cluster call that takes
   * longer than {@code timeoutMs} counts as a failure and the node falls back to its own limits, trying the
   * cluster again every {@code retryMs}; tokens and spend are handed to the cluster every {@code flushMs}.
   * Absent or 0: 250 ms, 1 s and 5 s.
   */
  public record ClusterLimits(Long timeoutMs, Long flushMs, Long retryMs) {

    public static final ClusterLimits DEFAULTS = new ClusterLimits(null, null, null);

    public ClusterLimits {
      timeoutMs = HttpConfig.positiveOr(timeoutMs, 250);
      flushMs = HttpConfig.positiveOr(flushMs, 1_000);
      retryMs = HttpConfig.positiveOr(retryMs, 5_000);
    }
  }

  /** Cross-origin access for browser apps on other origins: off while {@code allowedOrigins} is empty. */
  public record Cors(List<String> allowedOrigins, boolean allowCredentials, int maxAgeSeconds) {
  }
}
