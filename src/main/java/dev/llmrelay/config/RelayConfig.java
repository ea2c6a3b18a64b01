package dev.llmrelay.config;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

import java.util.List;
import java.util.function.Consumer;

/**
 * The relay's whole configuration, read once at start-up ({@link ConfigLoader}) and handed to each
 * verticle as the slice it needs.
 */
@JsonIgnoreProperties(ignoreUnknown = false)
public record RelayConfig(Http http, Upstream upstream, Breaker breaker, Streams stream, Deployment deployment,
                          Security security, Traces tracing) {

  public RelayConfig {
    tracing = tracing == null ? Traces.OFF : tracing;
  }

  /**
   * The client-facing HTTP server.
   *
   * <p>Client timeouts ({@code dev.llmrelay.edge.ClientTimeouts}): {@code headerTimeoutMs} from connecting
   * to a complete request head, {@code keepAliveTimeoutMs} from a response's end to the next complete head,
   * {@code bodyTimeoutMs} without a byte of an unfinished body; none runs while the relay owes the answer.
   * Absent or 0: the defaults, within nginx's 60 s. A real client sends its head in one write and its body
   * without pauses, so 30 s leaves room for a lossy link's retransmissions (1 + 2 + 4 + 8 s of back-off)
   * while a connection that only holds a socket goes twice as fast as under nginx; idle keep-alive gets
   * 60 s, since only a client that made a request can hold it, and reuse spares that client a reconnect.
   */
  public record Http(String host, int port, int instances, int maxRequestLineBytes, int maxBodyBytes,
                     String modelsFile, Long headerTimeoutMs, Long bodyTimeoutMs, Long keepAliveTimeoutMs,
                     Long modelsRefreshMs) {

    public static final long DEFAULT_HEADER_TIMEOUT_MS = 30_000;
    public static final long DEFAULT_BODY_TIMEOUT_MS = 30_000;
    public static final long DEFAULT_KEEP_ALIVE_TIMEOUT_MS = 60_000;
    public static final long DEFAULT_MODELS_REFRESH_MS = 3_600_000;

    public Http {
      headerTimeoutMs = positiveOr(headerTimeoutMs, DEFAULT_HEADER_TIMEOUT_MS);
      bodyTimeoutMs = positiveOr(bodyTimeoutMs, DEFAULT_BODY_TIMEOUT_MS);
      keepAliveTimeoutMs = positiveOr(keepAliveTimeoutMs, DEFAULT_KEEP_ALIVE_TIMEOUT_MS);
      modelsRefreshMs = modelsRefreshMs == null ? DEFAULT_MODELS_REFRESH_MS : modelsRefreshMs;
      if (modelsRefreshMs < 0) {
        throw new IllegalArgumentException("http.modelsRefreshMs must be 0 (no live catalog) or more, not "
          + modelsRefreshMs);
      }
    }

    /** The model catalog's file and how often the upstream's list is fetched again (0: never fetched). */
    public Http withModels(String file, long refreshMs) {
      return with(e -> {
        e.modelsFile = file;
        e.modelsRefreshMs = refreshMs;
      });
    }

    public Http withHost(String value) {
      return with(e -> e.host = value);
    }

    public Http withPort(int value) {
      return with(e -> e.port = value);
    }

    /** Router verticle instances. */
    public Http withInstances(int value) {
      return with(e -> e.instances = value);
    }

    public Http withMaxRequestLineBytes(int value) {
      return with(e -> e.maxRequestLineBytes = value);
    }

    public Http withMaxBodyBytes(int value) {
      return with(e -> e.maxBodyBytes = value);
    }

    /** The client timeouts; 0 for any is its default. */
    public Http withClientTimeouts(long headerMs, long bodyMs, long keepAliveMs) {
      return with(e -> {
        e.headerTimeoutMs = headerMs;
        e.bodyTimeoutMs = bodyMs;
        e.keepAliveTimeoutMs = keepAliveMs;
      });
    }

    private Http with(Consumer<Edit> change) {
      Edit edit = new Edit(this);
      change.accept(edit);
      return edit.build();
    }

    /** A copy being changed by a wither: the one place besides the record header that lists every setting. */
    private static final class Edit {
      String host;
      int port;
      int instances;
      int maxRequestLineBytes;
      int maxBodyBytes;
      String modelsFile;
      Long headerTimeoutMs;
      Long bodyTimeoutMs;
      Long keepAliveTimeoutMs;
      Long modelsRefreshMs;

      Edit(Http h) {
        host = h.host;
        port = h.port;
        instances = h.instances;
        maxRequestLineBytes = h.maxRequestLineBytes;
        maxBodyBytes = h.maxBodyBytes;
        modelsFile = h.modelsFile;
        headerTimeoutMs = h.headerTimeoutMs;
        bodyTimeoutMs = h.bodyTimeoutMs;
        keepAliveTimeoutMs = h.keepAliveTimeoutMs;
        modelsRefreshMs = h.modelsRefreshMs;
      }

      Http build() {
        return new Http(host, port, instances, maxRequestLineBytes, maxBodyBytes, modelsFile, headerTimeoutMs,
          bodyTimeoutMs, keepAliveTimeoutMs, modelsRefreshMs);
      }
    }

    // Boxed, so a configuration written before these settings existed still loads: Jackson refuses an
    // absent primitive here (the loader enables FAIL_ON_NULL_FOR_PRIMITIVES), but gives an absent Long null.
    static Long positiveOr(Long value, long fallback) {
      return value == null || value <= 0 ? fallback : value;
    }
  }

  /**
   * The OpenAI-compatible upstream and the timeouts of one call to it. {@code apiKey} comes from the
   * environment only and is never printed ({@link #toString()} masks it).
   *
   * <p>{@code http2} picks the upstream protocol: {@code auto} (HTTP/2 where TLS negotiates it by ALPN,
   * as OpenRouter does, else HTTP/1.1), {@code on} (also HTTP/2 over cleartext, h2c with prior
   * knowledge, for an {@code http://} upstream that speaks it, such as the simulator) or {@code off}
   * (HTTP/1.1 always).
   *
   * <p>{@code maxStreams} is the admission limit: upstream streams this process holds at once; a stream
   * beyond it is refused at once with {@code overloaded}. 0 sizes it from the open-files limit
   * ({@link dev.llmrelay.upstream.Admission#defaultLimit}). {@code poolSize} (HTTP/1.1 keep-alive connections, one per open
   * stream) and {@code http2PoolSize} (HTTP/2 connections, each carrying up to the upstream's
   * concurrent-stream limit) are per provider instance; 0 (the default) derives them from the admission
   * limit, so a stream that was admitted never waits for a connection.
   */
  public record Upstream(String url, String apiKey, String referer, String title, int instances, int poolSize,
                         long connectTimeoutMs, long firstByteTimeoutMs, long firstTokenTimeoutMs,
                         long idleTimeoutMs, long totalTimeoutMs, boolean simulated, String http2,
                         int http2PoolSize, int maxStreams) {

    public static final String HTTP2_AUTO = "auto";
    /** Streams one HTTP/2 connection is assumed to carry when sizing the pool (OpenRouter's and most servers' limit is 100 or more). */
    static final int STREAMS_PER_HTTP2_CONNECTION = 100;

    public Upstream {
      http2 = http2 == null ? HTTP2_AUTO : http2;
      if (!http2.equals(HTTP2_AUTO) && !http2.equals("on") && !http2.equals("off")) {
        throw new IllegalArgumentException("upstream.http2 must be auto, on or off, not " + http2);
      }
      if (maxStreams < 0 || poolSize < 0 || http2PoolSize < 0) {
        throw new IllegalArgumentException("upstream.maxStreams, poolSize and http2PoolSize must be 0 (automatic) or more");
      }
    }

    public Upstream withUrl(String value, boolean isSimulated) {
      return with(e -> {
        e.url = value;
        e.simulated = isSimulated;
      });
    }

    public Upstream withApiKey(String value) {
      return with(e -> e.apiKey = value);
    }

    /** Provider verticle instances. */
    public Upstream withInstances(int value) {
      return with(e -> e.instances = value);
    }

    /** The protocol setting ({@code auto}, {@code on}, {@code off}). */
    public Upstream withHttp2(String mode) {
      return with(e -> e.http2 = mode);
    }

    /** The pool sizes; 0 for either derives it from the admission limit. */
    public Upstream withPools(int http1, int http2Connections) {
      return with(e -> {
        e.poolSize = http1;
        e.http2PoolSize = http2Connections;
      });
    }

    public Upstream withMaxStreams(int limit) {
      return with(e -> e.maxStreams = limit);
    }

    public Upstream withConnectTimeoutMs(long value) {
      return with(e -> e.connectTimeoutMs = value);
    }

    /** The per-stream timeouts: to the response head, to the first token, between tokens, and in all. */
    public Upstream withTimeouts(long firstByte, long firstToken, long idle, long total) {
      return with(e -> {
        e.firstByteTimeoutMs = firstByte;
        e.firstTokenTimeoutMs = firstToken;
        e.idleTimeoutMs = idle;
        e.totalTimeoutMs = total;
      });
    }

    private Upstream with(Consumer<Edit> change) {
      Edit edit = new Edit(this);
      change.accept(edit);
      return edit.build();
    }

    /** A copy being changed by a wither: the one place besides the record header that lists every setting. */
    private static final class Edit {
      String url;
      String apiKey;
      String referer;
      String title;
      int instances;
      int poolSize;
      long connectTimeoutMs;
      long firstByteTimeoutMs;
      long firstTokenTimeoutMs;
      long idleTimeoutMs;
      long totalTimeoutMs;
      boolean simulated;
      String http2;
      int http2PoolSize;
      int maxStreams;

      Edit(Upstream u) {
        url = u.url;
        apiKey = u.apiKey;
        referer = u.referer;
        title = u.title;
        instances = u.instances;
        poolSize = u.poolSize;
        connectTimeoutMs = u.connectTimeoutMs;
        firstByteTimeoutMs = u.firstByteTimeoutMs;
        firstTokenTimeoutMs = u.firstTokenTimeoutMs;
        idleTimeoutMs = u.idleTimeoutMs;
        totalTimeoutMs = u.totalTimeoutMs;
        simulated = u.simulated;
        http2 = u.http2;
        http2PoolSize = u.http2PoolSize;
        maxStreams = u.maxStreams;
      }

      Upstream build() {
        return new Upstream(url, apiKey, referer, title, instances, poolSize, connectTimeoutMs, firstByteTimeoutMs,
          firstTokenTimeoutMs, idleTimeoutMs, totalTimeoutMs, simulated, http2, http2PoolSize, maxStreams);
      }
    }

    /** Whether to speak HTTP/2 to this upstream: always when on, by ALPN over TLS when auto. */
    public boolean prefersHttp2() {
      return http2.equals("on") || (http2.equals(HTTP2_AUTO) && url != null && url.startsWith("https:"));
    }

    /** HTTP/1.1 connections per provider instance: as configured, else one per stream the process admits. */
    public int http1Pool(int admitted) {
      return poolSize > 0 ? poolSize : admitted;
    }

    /** HTTP/2 connections per provider instance: as configured, else enough for every admitted stream. */
    public int http2Pool(int admitted) {
      return http2PoolSize > 0 ? http2PoolSize
        : Math.max(1, (admitted + STREAMS_PER_HTTP2_CONNECTION - 1) / STREAMS_PER_HTTP2_CONNECTION);
    }

    @Override
    public String toString() {
      return "Upstream[url=" + url + ", apiKey=" + (apiKey == null ? "none" : "***") + ", instances=" + instances
        + ", simulated=" + simulated + ", http2=" + http2 + ", maxStreams=" + maxStreams + "]";
    }
  }

  /**
   * The circuit breakers (one per upstream route, that is per model) and the retry policy around opening
   * the upstream stream. A route's breaker opens when at least {@code failureRatePercent} of at least
   * {@code minimumCalls} calls in the last {@code failureWindowMs} failed for the upstream's own reasons
   * (not 4xx answers, not rate limits, not the relay's own overload); it fails that route fast for
   * {@code resetTimeoutMs}, then lets one probe through. At most {@code maxRoutes} routes are tracked
   * (idle closed ones are forgotten). Retries back off exponentially with full jitter between
   * {@code initialDelayMs} and {@code maxDelayMs}, and stop when the next try would start after
   * {@code deadlineMs} from the first.
   */
  public record Breaker(int failureRatePercent, int minimumCalls, long failureWindowMs, long resetTimeoutMs,
                        int maxRetries, long initialDelayMs, long maxDelayMs, long deadlineMs, int maxRoutes) {

    public static final int DEFAULT_MAX_ROUTES = 1_000;

    public Breaker {
      if (failureRatePercent < 1 || failureRatePercent > 100) {
        throw new IllegalArgumentException("breaker.failureRatePercent must be 1..100, not " + failureRatePercent);
      }
      if (minimumCalls < 1) {
        throw new IllegalArgumentException("breaker.minimumCalls must be 1 or more, not " + minimumCalls);
      }
      maxRoutes = maxRoutes <= 0 ? DEFAULT_MAX_ROUTES : maxRoutes;
    }

    /** When a route's breaker opens: the failure rate, the minimum calls and the window, and how long it stays open. */
    public Breaker withOpening(int ratePercent, int calls, long windowMs, long resetMs) {
      return new Breaker(ratePercent, calls, windowMs, resetMs, maxRetries, initialDelayMs, maxDelayMs, deadlineMs,
        maxRoutes);
    }

    /** The retry policy: at most {@code retries} more tries, backing off between the delays, within the deadline. */
    public Breaker withRetries(int retries, long initialMs, long maxMs, long deadline) {
      return new Breaker(failureRatePercent, minimumCalls, failureWindowMs, resetTimeoutMs, retries, initialMs, maxMs,
        deadline, maxRoutes);
    }

    public Breaker withMaxRoutes(int routes) {
      return new Breaker(failureRatePercent, minimumCalls, failureWindowMs, resetTimeoutMs, maxRetries, initialDelayMs,
        maxDelayMs, deadlineMs, routes);
    }
  }

  /**
   * The stream protocol between router and provider: the credit window, the keep-alive comment
   * interval towards clients, the provider heartbeat and the router's watchdog for silent providers.
   * {@code drainMs} is how long a stopping relay (SIGTERM) lets open streams finish before it ends them.
   * {@code resumeGraceMs} is how long a resumable stream goes on after its client left (0: no stream is
   * resumable), {@code resumeBufferBytes} how much of it is kept for replay.
   */
  public record Streams(int creditWindow, long keepAliveMs, long heartbeatMs, long watchdogMs, long tickMs,
                        String defaultModel, long drainMs, long resumeGraceMs, long resumeBufferBytes) {

    public Streams withKeepAliveMs(long ms) {
      return new Streams(creditWindow, ms, heartbeatMs, watchdogMs, tickMs, defaultModel, drainMs, resumeGraceMs,
        resumeBufferBytes);
    }

    /** The provider's heartbeat and the router's watchdog for a provider that went silent. */
    public Streams withHeartbeat(long heartbeat, long watchdog) {
      return new Streams(creditWindow, keepAliveMs, heartbeat, watchdog, tickMs, defaultModel, drainMs, resumeGraceMs,
        resumeBufferBytes);
    }

    public Streams withTickMs(long ms) {
      return new Streams(creditWindow, keepAliveMs, heartbeatMs, watchdogMs, ms, defaultModel, drainMs, resumeGraceMs,
        resumeBufferBytes);
    }

    public Streams withDrainMs(long ms) {
      return new Streams(creditWindow, keepAliveMs, heartbeatMs, watchdogMs, tickMs, defaultModel, ms, resumeGraceMs,
        resumeBufferBytes);
    }

    /** How long a resumable stream outlives its client (0: resumption off), and what it keeps for replay. */
    public Streams withResume(long graceMs, long bufferBytes) {
      return new Streams(creditWindow, keepAliveMs, heartbeatMs, watchdogMs, tickMs, defaultModel, drainMs, graceMs,
        bufferBytes);
    }
  }

  /**
   * How the verticles are laid out: {@code mode} {@code standalone} (one JVM, local event bus) or
   * {@code cluster}; {@code role} {@code all}, or in a cluster {@code edge} (routers only) or
   * {@code provider} (providers only). {@code cluster} holds the cluster's network settings.
   */
  public record Deployment(String mode, String role, Cluster cluster) {
    public boolean clustered() {
      return "cluster".equals(mode);
    }

    public boolean runsRouters() {
      return !"provider".equals(role);
    }

    public boolean runsProviders() {
      return !"edge".equals(role);
    }
  }

  /**
   * A cluster node's network settings, substituted into the Hazelcast file {@code configFile}.
   *
   * @param name the cluster name; nodes only join a cluster of the same name
   * @param host the address this node binds and advertises, for Hazelcast and the event bus
   * @param port the first Hazelcast member port; the next free one of {@code portCount} is taken
   * @param members the well-known members, {@code host:port}, to discover the cluster through
   * @param busPort the event bus port (0: any free one)
   */
  public record Cluster(String name, String host, int port, int portCount, java.util.List<String> members,
                        int busPort, String configFile) {
  }

  /**
   * The edge: client keys (SHA-256 hex digests, never the keys), the per-key limits and spend budget
   * (defaults for keys without their own), the browser token lifetime, input limits, CORS and the page's
   * Content-Security-Policy, and how a cluster node shares the limits ({@link ClusterLimits}).
   * {@code tokenSecret} comes from the environment only and {@link #toString()} masks it.
   */
  public record Security(List<ClientKey> clientKeys, Limits limits, long tokenTtlMs, String tokenSecret,
                         int maxMessages, int maxTotalChars, Cors cors, String contentSecurityPolicy,
                         boolean publicMetrics, Budget budget, ClusterLimits clusterLimits) {

    public Security {
      budget = budget == null ? Budget.NONE : budget;
      clusterLimits = clusterLimits == null ? ClusterLimits.DEFAULTS : clusterLimits;
    }

    /** Without budgets, and with the default cluster settings. */
    public Security(List<ClientKey> clientKeys, Limits limits, long tokenTtlMs, String tokenSecret,
                    int maxMessages, int maxTotalChars, Cors cors, String contentSecurityPolicy,
                    boolean publicMetrics) {
      this(clientKeys, limits, tokenTtlMs, tokenSecret, maxMessages, maxTotalChars, cors, contentSecurityPolicy,
        publicMetrics, null, null);
    }

    public Security withClientKeys(List<ClientKey> keys) {
      return new Security(keys, limits, tokenTtlMs, tokenSecret, maxMessages, maxTotalChars, cors,
        contentSecurityPolicy, publicMetrics, budget, clusterLimits);
    }

    public Security withTokenSecret(String secret) {
      return new Security(clientKeys, limits, tokenTtlMs, secret, maxMessages, maxTotalChars, cors,
        contentSecurityPolicy, publicMetrics, budget, clusterLimits);
    }

    public Security withLimits(Limits newLimits) {
      return new Security(clientKeys, newLimits, tokenTtlMs, tokenSecret, maxMessages, maxTotalChars, cors,
        contentSecurityPolicy, publicMetrics, budget, clusterLimits);
    }

    public Security withInputLimits(int messages, int totalChars) {
      return new Security(clientKeys, limits, tokenTtlMs, tokenSecret, messages, totalChars, cors,
        contentSecurityPolicy, publicMetrics, budget, clusterLimits);
    }

    public Security withCors(Cors newCors) {
      return new Security(clientKeys, limits, tokenTtlMs, tokenSecret, maxMessages, maxTotalChars, newCors,
        contentSecurityPolicy, publicMetrics, budget, clusterLimits);
    }

    /** The default spend budget of keys without their own. */
    public Security withBudget(Budget newBudget) {
      return new Security(clientKeys, limits, tokenTtlMs, tokenSecret, maxMessages, maxTotalChars, cors,
        contentSecurityPolicy, publicMetrics, newBudget, clusterLimits);
    }

    public Security withClusterLimits(ClusterLimits newClusterLimits) {
      return new Security(clientKeys, limits, tokenTtlMs, tokenSecret, maxMessages, maxTotalChars, cors,
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
  }

  /**
   * One client key: a name for logs and metrics, the SHA-256 hex digest of the key, and limits and a
   * budget that replace {@link Security#limits()} and {@link Security#budget()} for it (null: the defaults).
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
      timeoutMs = Http.positiveOr(timeoutMs, 250);
      flushMs = Http.positiveOr(flushMs, 1_000);
      retryMs = Http.positiveOr(retryMs, 5_000);
    }
  }

  /** Cross-origin access for browser apps on other origins: off while {@code allowedOrigins} is empty. */
  public record Cors(List<String> allowedOrigins, boolean allowCredentials, int maxAgeSeconds) {
  }

  /**
   * OpenTelemetry traces ({@link dev.llmrelay.trace.Tracing}): off unless {@code enabled}. On, spans go by
   * OTLP/HTTP to {@code endpoint} (the collector's base URL; {@code /v1/traces} is appended, as for the
   * standard {@code OTEL_EXPORTER_OTLP_ENDPOINT}) as service {@code serviceName}; of the traces the relay
   * starts, {@code sampleRatio} are kept (a client's {@code traceparent} decides for its own trace).
   */
  public record Traces(boolean enabled, String endpoint, String serviceName, Double sampleRatio) {

    public static final Traces OFF = new Traces(false, null, null, null);
    public static final String DEFAULT_ENDPOINT = "http://localhost:4318";
    public static final String DEFAULT_SERVICE_NAME = "llm-relay";

    public Traces {
      endpoint = endpoint == null || endpoint.isBlank() ? DEFAULT_ENDPOINT : endpoint;
      serviceName = serviceName == null || serviceName.isBlank() ? DEFAULT_SERVICE_NAME : serviceName;
      sampleRatio = sampleRatio == null ? 1.0 : sampleRatio;
      if (sampleRatio.isNaN() || sampleRatio < 0 || sampleRatio > 1) {
        throw new IllegalArgumentException("tracing.sampleRatio must be between 0 and 1, not " + sampleRatio);
      }
    }

    /** Where the spans are posted: the endpoint's {@code /v1/traces}. */
    public String tracesUrl() {
      return (endpoint.endsWith("/") ? endpoint.substring(0, endpoint.length() - 1) : endpoint) + "/v1/traces";
    }

    /** On, sending to {@code url} (a collector's base URL). */
    public Traces withEndpoint(String url) {
      return new Traces(true, url, serviceName, sampleRatio);
    }

    public Traces withServiceName(String name) {
      return new Traces(enabled, endpoint, name, sampleRatio);
    }

    public Traces withEnabled(boolean on) {
      return new Traces(on, endpoint, serviceName, sampleRatio);
    }
  }

  public RelayConfig withHttp(Http newHttp) {
    return new RelayConfig(newHttp, upstream, breaker, stream, deployment, security, tracing);
  }

  public RelayConfig withUpstream(Upstream newUpstream) {
    return new RelayConfig(http, newUpstream, breaker, stream, deployment, security, tracing);
  }

  public RelayConfig withBreaker(Breaker newBreaker) {
    return new RelayConfig(http, upstream, newBreaker, stream, deployment, security, tracing);
  }

  public RelayConfig withStream(Streams newStream) {
    return new RelayConfig(http, upstream, breaker, newStream, deployment, security, tracing);
  }

  public RelayConfig withSecurity(Security newSecurity) {
    return new RelayConfig(http, upstream, breaker, stream, deployment, newSecurity, tracing);
  }

  public RelayConfig withDeployment(Deployment newDeployment) {
    return new RelayConfig(http, upstream, breaker, stream, newDeployment, security, tracing);
  }

  public RelayConfig withTracing(Traces newTracing) {
    return new RelayConfig(http, upstream, breaker, stream, deployment, security, newTracing);
  }
}
