package dev.llmrelay;

import dev.llmrelay.api.RouterVerticle;
import dev.llmrelay.bus.RecordCodec;
import dev.llmrelay.config.RelayConfig;
import dev.llmrelay.simulator.Simulator;
import dev.llmrelay.upstream.ProviderVerticle;
import dev.llmrelay.upstream.UpstreamHealth;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.internal.logging.Logger;
import io.vertx.core.internal.logging.LoggerFactory;

import java.util.ArrayList;
import java.util.List;

/**
 * Deploys the relay on a Vert.x instance: the simulator when no upstream is configured, then the
 * provider and router verticles with their configuration slices. Used by {@link Main} and by tests.
 */
public final class Relay {

  private static final Logger LOG = LoggerFactory.getLogger(Relay.class);

  private final Vertx vertx;
  private final RelayConfig config;
  private final Simulator simulator;
  private final UpstreamHealth health;
  private final List<String> deployments;

  private Relay(Vertx vertx, RelayConfig config, Simulator simulator, UpstreamHealth health, List<String> deployments) {
    this.vertx = vertx;
    this.config = config;
    this.simulator = simulator;
    this.health = health;
    this.deployments = deployments;
  }

  /** Deploys everything {@code config} asks for and completes once the HTTP port is listening. */
  public static Future<Relay> deploy(Vertx vertx, RelayConfig config) {
    RecordCodec.registerAll(vertx);
    // An edge node has no providers, so no upstream of its own: the provider nodes decide theirs.
    if (config.upstream().url() == null && config.deployment().runsProviders()) {
      return Simulator.start(vertx, "127.0.0.1", 0).compose(sim -> {
        RelayConfig simulated = config.withUpstream(config.upstream().withUrl(sim.baseUrl(), true));
        LOG.warn("SIMULATOR MODE: neither OPENROUTER_API_KEY nor RELAY_UPSTREAM_URL is set; answers come from the "
          + "built-in OpenRouter simulator at " + sim.baseUrl() + ", not from a real model");
        return deployVerticles(vertx, simulated, sim);
      });
    }
    return deployVerticles(vertx, config, null);
  }

  private static Future<Relay> deployVerticles(Vertx vertx, RelayConfig config, Simulator simulator) {
    UpstreamHealth health = new UpstreamHealth();
    // The config goes to each verticle as the record itself, not as deployment JSON: Vert.x 5 deep-copies
    // a deployment's config JSON into every context it derives, and its HTTP client derives one per
    // upstream request (40 map entries, about 2.6 KB, held for the life of each stream).
    DeploymentOptions providers = new DeploymentOptions().setInstances(config.upstream().instances());
    DeploymentOptions routers = new DeploymentOptions().setInstances(config.http().instances());
    RelayConfig.Deployment deployment = config.deployment();
    List<String> deployments = new ArrayList<>();
    Future<String> provided = deployment.runsProviders()
      ? vertx.deployVerticle(() -> new ProviderVerticle(health, config), providers).onSuccess(deployments::add)
      : Future.succeededFuture();
    return provided
      .compose(v -> deployment.runsRouters()
        ? vertx.deployVerticle(() -> new RouterVerticle(health, config), routers).onSuccess(deployments::add)
        : Future.<String>succeededFuture())
      .map(v -> {
        String upstream = deployment.runsProviders() ? "upstream " + config.upstream().url()
          : "streams go to the cluster's provider nodes";
        String node = deployment.clustered() ? "cluster " + deployment.cluster().name() + " node, role "
          + deployment.role() + ", " : "";
        if (deployment.runsRouters()) {
          LOG.info("LLM Relay listening on http://" + config.http().host() + ":" + config.http().port()
            + " (" + node + upstream + ")");
        } else {
          LOG.info("LLM Relay provider node ready (" + node + upstream + ")");
        }
        return new Relay(vertx, config, simulator, health, deployments);
      });
  }

  /** Undeploys the routers, the providers and the built-in simulator, in that order. */
  public Future<Void> stop() {
    Future<Void> chain = Future.succeededFuture();
    for (int i = deployments.size() - 1; i >= 0; i--) {
      String id = deployments.get(i);
      chain = chain.compose(v -> vertx.undeploy(id));
    }
    return simulator == null ? chain : chain.compose(v -> simulator.stop());
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
}
