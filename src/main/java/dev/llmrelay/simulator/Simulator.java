package dev.llmrelay.simulator;

import io.vertx.core.Future;
import io.vertx.core.Vertx;

/**
 * The built-in OpenRouter simulator: same wire format, scenario-driven faults (see {@link Scenario}),
 * counters in {@link SimulatorStats}. Tests and the benchmark start it on port 0; the relay starts it
 * when no API key is set.
 */
public final class Simulator {

  private final Vertx vertx;
  private final String deploymentId;
  private final SimulatorVerticle verticle;
  private final SimulatorStats stats;

  private Simulator(Vertx vertx, String deploymentId, SimulatorVerticle verticle, SimulatorStats stats) {
    this.vertx = vertx;
    this.deploymentId = deploymentId;
    this.verticle = verticle;
    this.stats = stats;
  }

  /** Starts a simulator on {@code host:port} (port 0 picks a free one). */
  public static Future<Simulator> start(Vertx vertx, String host, int port) {
    SimulatorStats stats = new SimulatorStats();
    SimulatorVerticle verticle = new SimulatorVerticle(host, port, stats);
    return vertx.deployVerticle(verticle).map(id -> new Simulator(vertx, id, verticle, stats));
  }

  public int port() {
    return verticle.actualPort();
  }

  /** The base URL to configure as the relay's upstream, e.g. {@code http://127.0.0.1:4711/api/v1}. */
  public String baseUrl() {
    return "http://127.0.0.1:" + port() + "/api/v1";
  }

  /**
   * The text a {@code normal} stream of {@code tokens} tokens carries (the directive
   * {@code [sim tokens=N]} without {@code multibyte}), so a load generator can check every answer.
   */
  public static String normalAnswer(int tokens) {
    return SimStream.normalAnswer(tokens);
  }

  public SimulatorStats stats() {
    return stats;
  }

  public Future<Void> stop() {
    return vertx.undeploy(deploymentId);
  }
}
