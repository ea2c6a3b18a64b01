package dev.llmrelay;

import dev.llmrelay.api.RouterVerticle;
import dev.llmrelay.bus.RecordCodec;
import dev.llmrelay.catalog.CatalogVerticle;
import dev.llmrelay.catalog.ModelCatalog;
import dev.llmrelay.cluster.HazelcastUsage;
import dev.llmrelay.config.DeploymentConfig;
import dev.llmrelay.config.RelayConfig;
import dev.llmrelay.edge.Edge;
import dev.llmrelay.edge.ModelsFilePrices;
import dev.llmrelay.edge.SharedUsage;
import dev.llmrelay.simulator.ScenarioCatalog;
import dev.llmrelay.simulator.Simulator;
import dev.llmrelay.trace.Tracing;
import dev.llmrelay.upstream.ProviderVerticle;
import dev.llmrelay.upstream.UpstreamHealth;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.internal.logging.Logger;
import io.vertx.core.internal.logging.LoggerFactory;
import io.vertx.core.json.JsonArray;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import java.util.function.UnaryOperator;

/**
 * Deploys the relay on a Vert.x instance: the simulator when no upstream is configured, then the
 * provider and router verticles with their configuration slices, and the model catalog's fetcher.
 * Used by {@link Main} and by tests.
 */
public final class Relay {

  private static final Logger LOG = LoggerFactory.getLogger(Relay.class);
  /** How often a draining relay looks whether its streams have all finished. */
  private static final long DRAIN_CHECK_MS = 50;
  /** How long after the drain period connections are closed, once their streams were ended. */
  private static final long END_GRACE_MS = 1_000;
  /**
   * Vert.x gives servers listening on the same negative port one port the kernel picks (on port 0 each
   * server would get a port of its own): each relay configured with port 0 gets a number of its own here.
   */
  private static final AtomicInteger KERNEL_PICKED = new AtomicInteger();

  private final Vertx vertx;
  private final RelayConfig config;
  private final Simulator simulator;
  private final UpstreamHealth health;
  private final List<String> deployments;
  private final Edge edge;
  private final List<RouterVerticle> routers;
  private final List<ProviderVerticle> providers;

  private Relay(Vertx vertx, RelayConfig config, Simulator simulator, UpstreamHealth health, List<String> deployments,
                Edge edge, List<RouterVerticle> routers, List<ProviderVerticle> providers) {
    this.vertx = vertx;
    this.config = config;
    this.simulator = simulator;
    this.health = health;
    this.deployments = deployments;
    this.edge = edge;
    this.routers = routers;
    this.providers = providers;
  }

  /** Deploys everything {@code config} asks for and completes once the HTTP port is listening. */
  public static Future<Relay> deploy(Vertx vertx, RelayConfig config) {
    return deploy(vertx, config, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), System::currentTimeMillis);
  }

  /**
   * As {@link #deploy(Vertx, RelayConfig)}, with the registry {@code /metrics} serves (the one Vert.x
   * reports to, if any) and the clock of the per-key limits and browser tokens.
   */
  public static Future<Relay> deploy(Vertx vertx, RelayConfig config, PrometheusMeterRegistry registry,
                                     LongSupplier clock) {
    return deploy(vertx, config, registry, clock, UnaryOperator.identity());
  }

  /**
   * As above; on a clustered edge node the per-key usage the cluster shares goes through {@code shared}
   * (tests put a failing one in front of it).
   */
  public static Future<Relay> deploy(Vertx vertx, RelayConfig config, PrometheusMeterRegistry registry,
                                     LongSupplier clock, UnaryOperator<SharedUsage> shared) {
    return deploy(vertx, config, registry, clock, shared, Tracing.OFF);
  }

  /**
   * As above, with spans of every request, stream, bus hop and upstream attempt made through {@code tracing}
   * ({@link Tracing#OFF}: none). The caller closes it after the relay stopped.
   */
  public static Future<Relay> deploy(Vertx vertx, RelayConfig config, PrometheusMeterRegistry registry,
                                     LongSupplier clock, UnaryOperator<SharedUsage> shared, Tracing tracing) {
    RecordCodec.registerAll(vertx);
    // An edge node has no providers, so no upstream of its own: the provider nodes decide theirs.
    if (config.upstream().url() == null && config.deployment().runsProviders()) {
      return Simulator.start(vertx, "127.0.0.1", 0).compose(sim -> {
        RelayConfig simulated = config.withUpstream(config.upstream().withUrl(sim.baseUrl(), true));
        LOG.warn("SIMULATOR MODE: neither OPENROUTER_API_KEY nor RELAY_UPSTREAM_URL is set; answers come from the "
          + "built-in OpenRouter simulator at " + sim.baseUrl() + ", not from a real model");
        return deployVerticles(vertx, simulated, sim, registry, clock, shared, tracing);
      });
    }
    return deployVerticles(vertx, config, null, registry, clock, shared, tracing);
  }

  private static Future<Relay> deployVerticles(Vertx vertx, RelayConfig config, Simulator simulator,
                                               PrometheusMeterRegistry registry, LongSupplier clock,
                                               UnaryOperator<SharedUsage> shared, Tracing tracing) {
    UpstreamHealth health = UpstreamHealth.of(vertx, config);
    Edge edge = Edge.create(config.security(), registry, health, clock,
      ModelsFilePrices.load(config.http().modelsFile()));
    DeploymentConfig deployment = config.deployment();
    if (deployment.clustered() && deployment.runsRouters() && vertx.isClustered()) {
      // Per-key limits and budgets hold across the cluster; standalone they stay per process.
      edge.shareLimits(vertx, shared.apply(HazelcastUsage.of(vertx)));
    }
    edge.trace(tracing);
    ModelCatalog models;
    try {
      models = deployment.runsRouters() ? ModelCatalog.load(config.http().modelsFile()) : null;
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
    // One fetcher per process, on a node with an upstream of its own; an edge node serves the file.
    boolean liveCatalog = models != null && deployment.runsProviders() && config.upstream().url() != null
      && config.http().modelsRefreshMs() > 0;
    // The config goes to each verticle as the record itself, not as deployment JSON: Vert.x 5 deep-copies
    // a deployment's config JSON into every context it derives, and its HTTP client derives one per
    // upstream request (40 map entries, about 2.6 KB, held for the life of each stream).
    DeploymentOptions providers = new DeploymentOptions().setInstances(config.upstream().instances());
    DeploymentOptions routers = new DeploymentOptions().setInstances(config.http().instances());
    List<String> deployments = new ArrayList<>();
    List<RouterVerticle> routerInstances = new CopyOnWriteArrayList<>();
    JsonArray scenarios = config.upstream().simulated() ? ScenarioCatalog.toJson() : null;
    List<ProviderVerticle> providerInstances = new CopyOnWriteArrayList<>();
    int port = config.http().port() == 0 ? -KERNEL_PICKED.incrementAndGet() : config.http().port();
    Future<String> provided = deployment.runsProviders()
      ? vertx.deployVerticle(() -> add(providerInstances, new ProviderVerticle(health, config, tracing,
          deployment.clustered() && providerInstances.isEmpty())), providers)
        .onSuccess(deployments::add)
      : Future.succeededFuture();
    return provided
      .compose(v -> deployment.runsRouters()
        ? vertx.deployVerticle(() -> add(routerInstances,
            new RouterVerticle(health, config, edge, models, scenarios, port)), routers)
          .onSuccess(deployments::add)
        : Future.<String>succeededFuture())
      // Last: a deployment takes the next event loop, and routers and providers keep theirs as without it
      // (a router opens its streams on a provider of its own event loop when there is one).
      .compose(v -> liveCatalog
        ? vertx.deployVerticle(new CatalogVerticle(models, config.upstream(), config.http().modelsRefreshMs()))
          .onSuccess(deployments::add)
        : Future.<String>succeededFuture())
      .map(v -> {
        String upstream = deployment.runsProviders() ? "upstream " + config.upstream().url()
          : "streams go to the cluster's provider nodes";
        String node = deployment.clustered() ? "cluster " + deployment.cluster().name() + " node, role "
          + deployment.role() + ", " : "";
        if (deployment.runsRouters()) {
          // The jar carries Netty's native transport for Linux x86-64 only; elsewhere Vert.x runs on the JDK's NIO.
          String transport = vertx.isNativeTransportEnabled() ? "epoll transport" : "NIO transport";
          String address = config.http().host() + ":" + routerInstances.get(0).port();
          LOG.info("LLM Relay listening on http://" + address + " (" + node + upstream + ", " + transport + ")");
          if (config.security().authEnabled()) {
            LOG.info("Client authentication on: " + config.security().clientKeys().size() + " client key(s)");
          } else {
            LOG.warn("NO CLIENT AUTHENTICATION: no client keys are configured (security.clientKeys, "
              + "RELAY_CLIENT_KEYS), so anyone who reaches " + address
              + " can spend the upstream account; keep it on loopback");
          }
        } else {
          LOG.info("LLM Relay provider node ready (" + node + upstream + ")");
        }
        if (tracing.enabled()) {
          LOG.info("Tracing on: spans of requests, streams, bus hops and upstream attempts"
            + (config.tracing().enabled() ? " go to " + config.tracing().tracesUrl() : ""));
        }
        return new Relay(vertx, config, simulator, health, deployments, edge, routerInstances, providerInstances);
      });
  }

  private static <T> T add(List<T> list, T instance) {
    list.add(instance);
    return instance;
  }

  /**
   * A graceful stop, for SIGTERM: turns not ready at once, stops accepting connections and new streams
   * (in a cluster, other providers take them), lets the open streams finish for up to
   * {@code stream.drainMs}, ends the rest with a typed, retryable error event, then stops everything.
   */
  public Future<Void> drain() {
    long drainMs = config.stream().drainMs();
    health.drain();
    LOG.info("Draining: not ready, accepting no new streams; " + health.clientStreams() + " client and "
      + health.openStreams() + " upstream streams open, waiting up to " + drainMs + " ms for them to finish");
    List<Future<Void>> closing = new ArrayList<>();
    // Vert.x closes what is still open a little after the streams' own end, so their error events go out first.
    routers.forEach(router -> closing.add(router.drain(drainMs + END_GRACE_MS)));
    Future<Void> noNewWork = Future.all(providers.stream().map(ProviderVerticle::drain).toList()).mapEmpty();
    return noNewWork
      .compose(v -> streamsFinished(System.currentTimeMillis() + drainMs))
      .compose(v -> {
        int left = health.clientStreams() + health.openStreams();
        if (left > 0) {
          LOG.warn("Drain period over: ending " + health.clientStreams() + " client and " + health.openStreams()
            + " upstream streams with a retryable error");
        }
        List<Future<Void>> ends = new ArrayList<>();
        routers.forEach(router -> ends.add(router.endStreams()));
        providers.forEach(provider -> ends.add(provider.endStreams()));
        return Future.all(ends);
      })
      .compose(v -> Future.join(closing).otherwiseEmpty())
      .compose(v -> stop());
  }

  /** Ends when this process holds no stream, or at {@code deadline}. */
  private Future<Void> streamsFinished(long deadline) {
    Promise<Void> done = Promise.promise();
    checkFinished(deadline, done);
    return done.future();
  }

  private void checkFinished(long deadline, Promise<Void> done) {
    if (health.clientStreams() + health.openStreams() == 0 || System.currentTimeMillis() >= deadline) {
      done.complete();
    } else {
      vertx.setTimer(DRAIN_CHECK_MS, id -> checkFinished(deadline, done));
    }
  }

  /**
   * Undeploys the routers, the providers and the built-in simulator, in that order, then closes the edge
   * (its access log writes what is still queued).
   */
  public Future<Void> stop() {
    Future<Void> chain = Future.succeededFuture();
    for (int i = deployments.size() - 1; i >= 0; i--) {
      String id = deployments.get(i);
      chain = chain.compose(v -> vertx.undeploy(id));
    }
    if (simulator != null) {
      chain = chain.compose(v -> simulator.stop());
    }
    return chain.onComplete(ar -> edge.close());
  }

  /**
   * The port the relay's routers listen on: the configured one, or the one the kernel picked for them all
   * when the configuration says 0; -1 on a provider node, which serves no HTTP.
   */
  public int port() {
    return routers.isEmpty() ? -1 : routers.get(0).port();
  }

  /** Each router's port, for the test that they share one. */
  List<Integer> routerPorts() {
    return routers.stream().map(RouterVerticle::port).toList();
  }

  /** The configuration in force (with the simulator's URL when it runs). */
  public RelayConfig config() {
    return config;
  }

  /** The built-in simulator, or null when a real upstream is configured. */
  public Simulator simulator() {
    return simulator;
  }

  public UpstreamHealth health() {
    return health;
  }

  /** Client auth, limits, metrics registry and access log of this JVM's routers. */
  public Edge edge() {
    return edge;
  }
}
