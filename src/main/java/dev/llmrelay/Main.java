package dev.llmrelay;

import dev.llmrelay.cluster.ClusterNode;
import dev.llmrelay.config.ConfigLoader;
import dev.llmrelay.config.RelayConfig;
import dev.llmrelay.trace.Tracing;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.internal.logging.Logger;
import io.vertx.core.internal.logging.LoggerFactory;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MetricsDomain;
import io.vertx.micrometer.MicrometerMetricsOptions;

import java.util.concurrent.atomic.AtomicReference;
import java.util.function.UnaryOperator;

/**
 * {@code java -jar target/llm-relay.jar [-conf file.json] [-cluster] [-role edge|provider|all]}: reads
 * the configuration, joins the cluster in cluster mode, deploys the relay and, on SIGTERM, drains it
 * ({@link Relay#drain}) and closes Vert.x (a cluster node leaves the cluster last, once its streams ended).
 */
public final class Main {

  private static final Logger LOG = LoggerFactory.getLogger(Main.class);
  /**
   * How often Vert.x looks for an event loop stuck in one task (it warns once one has run 2 s): every 10 s,
   * not every second, since each look wakes the process, and its thread's wake-ups were most of what an
   * idle relay cost (docs/operations.md, idle cost). A loop stuck 12 s or more is always reported.
   */
  static final long BLOCKED_THREAD_CHECK_MS = 10_000;

  private Main() {
  }

  /**
   * The Vert.x options of a relay with {@code config}: Vert.x reports its pool and JVM series to the
   * registry {@code /metrics} serves. Not its event-bus series: the bus carries one message per token and
   * two consumers per stream, so they would cost work on every token and memory on every open stream, and
   * relay_* already counts streams and tokens. Its per-request HTTP series only with
   * {@code http.vertxHttpMetrics}: they cost about 6 % of the relay's work per stream (meter lookups
   * on every request and every upstream response), and relay_* counts requests and streams. As many event
   * loops as instances ({@link RelayConfig#eventLoops}).
   */
  public static VertxOptions vertxOptions(RelayConfig config) {
    MicrometerMetricsOptions metrics = new MicrometerMetricsOptions().setEnabled(true).setJvmMetricsEnabled(true)
      .addDisabledMetricsCategory(MetricsDomain.EVENT_BUS);
    if (!config.http().vertxHttpMetrics()) {
      metrics.addDisabledMetricsCategory(MetricsDomain.HTTP_SERVER).addDisabledMetricsCategory(MetricsDomain.HTTP_CLIENT);
    }
    return new VertxOptions().setMetricsOptions(metrics).setPreferNativeTransport(true)
      .setEventLoopPoolSize(config.eventLoops())
      .setBlockedThreadCheckInterval(BLOCKED_THREAD_CHECK_MS);
  }

  public static void main(String[] args) {
    // One line per log record (the JDK default takes two), so the JSON access log stays one line per stream.
    if (System.getProperty("java.util.logging.SimpleFormatter.format") == null) {
      System.setProperty("java.util.logging.SimpleFormatter.format", "%1$tFT%1$tT.%1$tL %4$s %3$s %5$s%6$s%n");
    }
    RelayConfig config;
    try {
      config = ConfigLoader.load(args, System.getenv());
    } catch (RuntimeException e) {
      System.err.println("llm-relay: " + e.getMessage());
      System.exit(2);
      return;
    }
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    VertxOptions options = vertxOptions(config);
    int warmupStreams = config.http().warmupStreams();
    if (warmupStreams > 0) {
      try {
        Warmup.Outcome warm = Warmup.run(config, options, warmupStreams);
        LOG.info("Warmed up: " + warm.streams() + " streams through " + (warm.copies() == 1 ? "a copy" : warm.copies() + " copies")
          + " of the relay in " + warm.millis() + " ms"
          + (warm.failed() > 0 ? " (" + warm.failed() + " failed)" : ""));
      } catch (RuntimeException e) {
        LOG.warn("Warm-up skipped: " + e);
      }
    }
    MicrometerMetricsFactory metrics = new MicrometerMetricsFactory(registry);
    Vertx vertx;
    try {
      vertx = config.deployment().clustered()
        ? ClusterNode.start(config.deployment().cluster(), options, metrics).await()
        : Vertx.builder().with(options).withMetrics(metrics).build();
    } catch (Exception e) {
      System.err.println("llm-relay: cannot join the cluster: " + e.getMessage());
      System.exit(1);
      return;
    }
    QuietLoops.quietAcceptor(vertx);
    Tracing tracing = Tracing.from(config.tracing());
    AtomicReference<Relay> running = new AtomicReference<>();
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      Relay relay = running.get();
      if (relay != null) {
        relay.drain().otherwiseEmpty().await();
      }
      vertx.close().await();
      if (relay != null) {
        // Relay.stop closed it unless the drain failed half-way; closing again is harmless.
        relay.edge().close();
      }
      // Last: the spans of the streams the drain ended are sent before the JVM exits.
      tracing.close();
    }));
    Relay.deploy(vertx, config, registry, System::currentTimeMillis, UnaryOperator.identity(), tracing)
      .onSuccess(running::set)
      .onFailure(t -> {
        System.err.println("llm-relay: cannot start: " + t.getMessage());
        vertx.close().onComplete(v -> System.exit(1));
      });
  }
}
