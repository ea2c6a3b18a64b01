package dev.llmrelay.testing;

import dev.llmrelay.Relay;
import dev.llmrelay.config.ConfigLoader;
import dev.llmrelay.config.RelayConfig;
import dev.llmrelay.simulator.Simulator;
import dev.llmrelay.trace.Tracing;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.util.Map;
import java.util.function.LongSupplier;
import java.util.function.UnaryOperator;

/**
 * Starts the simulator on port 0 and the relay in front of it on 127.0.0.1, port 0 too (the kernel picks
 * one as the relay binds; {@link #port} is it), from the shipped {@code conf/config.json} with
 * test-friendly instance counts. Call from a test thread (it awaits).
 */
public final class RelayHarness {

  public final Simulator simulator;
  public final Relay relay;
  public final int port;

  private RelayHarness(Simulator simulator, Relay relay, int port) {
    this.simulator = simulator;
    this.relay = relay;
    this.port = port;
  }

  public static RelayHarness start(Vertx vertx) {
    return start(vertx, c -> c);
  }

  public static RelayHarness start(Vertx vertx, UnaryOperator<RelayConfig> tweak) {
    return start(vertx, tweak, System::currentTimeMillis);
  }

  /** With {@code clock} driving the per-key limits and token expiry, so tests can step through minutes. */
  public static RelayHarness start(Vertx vertx, UnaryOperator<RelayConfig> tweak, LongSupplier clock) {
    return start(vertx, tweak, clock, Tracing.OFF);
  }

  /** With spans made through {@code tracing} (a test's in-memory exporter). */
  public static RelayHarness start(Vertx vertx, UnaryOperator<RelayConfig> tweak, LongSupplier clock,
                                   Tracing tracing) {
    Simulator simulator = Simulator.start(vertx, "127.0.0.1", 0).await();
    RelayConfig base = ConfigLoader.applyEnvironment(ConfigLoader.defaults(),
      Map.of("RELAY_UPSTREAM_URL", simulator.baseUrl(), "RELAY_HTTP_HOST", "127.0.0.1",
        "RELAY_HTTP_PORT", "0"));
    RelayConfig config = tweak.apply(base);
    Relay relay = Relay.deploy(vertx, config, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), clock,
      UnaryOperator.identity(), tracing).await();
    return new RelayHarness(simulator, relay, relay.port());
  }

  /** Config with {@code n} router and provider instances each. */
  public static RelayConfig instances(RelayConfig c, int routers, int providers) {
    return c.withHttp(c.http().withInstances(routers)).withUpstream(c.upstream().withInstances(providers));
  }

  /** Stops the relay and the simulator, so the next harness on this Vert.x starts clean. */
  public void stop() {
    relay.stop().compose(v -> simulator.stop()).await();
  }

  public static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
