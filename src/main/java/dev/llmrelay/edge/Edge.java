package dev.llmrelay.edge;

import dev.llmrelay.config.SecurityConfig;
import dev.llmrelay.trace.StreamSpan;
import dev.llmrelay.trace.Tracing;
import dev.llmrelay.upstream.UpstreamHealth;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.ext.web.RoutingContext;

import java.util.function.LongSupplier;

/**
 * The edge's state for one JVM, shared by every router instance: client keys, the token signer, the
 * per-key limiter (per process, or across the cluster once {@link #shareLimits shared}), the price list,
 * input limits, the metrics registry and the access log (its writer thread lives until {@link #close}).
 * Thread-safe; routers reach it through {@link EdgeRoutes} and {@link #observe}.
 */
public final class Edge {

  private final SecurityConfig config;
  private final ClientKeys keys;
  private final StreamTokens tokens;
  private final ClientLimiter limiter;
  private final InputLimits input;
  private final EdgeMetrics metrics;
  private final UsageMetrics usageMetrics;
  private final PriceList prices;
  private final AccessLog accessLog;
  private final UpstreamHealth health;
  private volatile Tracing tracing = Tracing.OFF;

  private Edge(SecurityConfig config, PrometheusMeterRegistry registry, UpstreamHealth health,
               LongSupplier clock, PriceList prices) {
    this.config = config;
    this.keys = new ClientKeys(config);
    this.tokens = new StreamTokens(config.tokenSecret(), config.tokenTtlMs(), clock);
    this.limiter = new ClientLimiter(clock);
    this.input = new InputLimits(config.maxMessages(), config.maxTotalChars());
    this.accessLog = new AccessLog();
    this.metrics = new EdgeMetrics(registry, health, accessLog);
    this.usageMetrics = new UsageMetrics(registry, prices);
    this.prices = prices;
    this.health = health;
  }

  /**
   * @param registry where the relay's series go; {@code /metrics} serves it (give Vert.x the same one
   *                 to have its HTTP, event-bus and JVM series there too)
   * @param clock    epoch milliseconds, for the per-minute limits and token expiry
   */
  public static Edge create(SecurityConfig config, PrometheusMeterRegistry registry, UpstreamHealth health,
                            LongSupplier clock) {
    return new Edge(config, registry, health, clock, PriceList.NONE);
  }

  /** As above, with {@code prices} for streams whose upstream reports no cost, and naming models in metrics. */
  public static Edge create(SecurityConfig config, PrometheusMeterRegistry registry, UpstreamHealth health,
                            LongSupplier clock, PriceList prices) {
    return new Edge(config, registry, health, clock, prices);
  }

  /**
   * Makes the per-key limits and budgets hold across a cluster through {@code shared}; before this they
   * hold per process. Call once, before the routers take requests.
   */
  public void shareLimits(Vertx vertx, SharedUsage shared) {
    limiter.share(new SharedLimiter(vertx, shared, limiter, config.clusterLimits(), metrics.registry()));
  }


  /**
   * Makes a span of every request and of every stream ({@link dev.llmrelay.trace.RequestSpan},
   * {@link StreamSpan}); before this, none is made. Call once, before the routers take requests.
   */
  public void trace(Tracing spans) {
    this.tracing = spans;
  }

  /** Starts observing the completion stream this request opens; the router's sink feeds it. */
  public StreamObservation observe(RoutingContext ctx, String model) {
    EdgeRequest request = EdgeRequest.of(ctx);
    String endpoint = Endpoints.label(ctx);
    StreamObservation observation = new StreamObservation(this, request, endpoint, model,
      StreamSpan.start(tracing, ctx, endpoint, model));
    metrics.streamOpened();
    ctx.addEndHandler(ar -> observation.close(ctx.response().getStatusCode()));
    return observation;
  }

  /** The name of the client this request comes from (its key's name, a browser token's, or anonymous). */
  public String clientId(RoutingContext ctx) {
    return EdgeRequest.of(ctx).client().id();
  }

  /** Message-count and size limits of a completion request. */
  public InputLimits input() {
    return input;
  }

  public PrometheusMeterRegistry registry() {
    return (PrometheusMeterRegistry) metrics.registry();
  }

  /** Counts a request the HTTP decoder refused before any route (a too-long URL, bad headers). */
  public void invalidRequest(int status) {
    metrics.request("invalid", "unknown", status);
  }

  /**
   * When the relay stops: stops sharing the limits (the cluster probe and flush timer), writes the
   * access-log lines still queued and stops its writer thread.
   */
  public void close() {
    SharedLimiter shared = limiter.shared();
    if (shared != null) {
      shared.close();
    }
    accessLog.close();
  }

  boolean authEnabled() {
    return keys.enabled();
  }

  SecurityConfig config() {
    return config;
  }

  ClientKeys keys() {
    return keys;
  }

  StreamTokens tokens() {
    return tokens;
  }

  ClientLimiter limiter() {
    return limiter;
  }

  EdgeMetrics metrics() {
    return metrics;
  }

  UsageMetrics usageMetrics() {
    return usageMetrics;
  }

  PriceList prices() {
    return prices;
  }

  AccessLog accessLog() {
    return accessLog;
  }

  UpstreamHealth health() {
    return health;
  }

  Tracing tracing() {
    return tracing;
  }
}
