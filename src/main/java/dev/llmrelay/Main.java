package dev.llmrelay;

import dev.llmrelay.cluster.ClusterNode;
import dev.llmrelay.config.ConfigLoader;
import dev.llmrelay.config.RelayConfig;
import io.vertx.core.Vertx;

/**
 * {@code java -jar target/llm-relay.jar [-conf file.json] [-cluster] [-role edge|provider|all]}: reads
 * the configuration, joins the cluster in cluster mode, deploys the relay and closes Vert.x cleanly on
 * SIGTERM (a cluster node leaves the cluster first).
 */
public final class Main {

  private Main() {
  }

  public static void main(String[] args) {
    RelayConfig config;
    try {
      config = ConfigLoader.load(args, System.getenv());
    } catch (RuntimeException e) {
      System.err.println("llm-relay: " + e.getMessage());
      System.exit(2);
      return;
    }
    Vertx vertx;
    try {
      vertx = config.deployment().clustered()
        ? ClusterNode.start(config.deployment().cluster()).await()
        : Vertx.vertx();
    } catch (Exception e) {
      System.err.println("llm-relay: cannot join the cluster: " + e.getMessage());
      System.exit(1);
      return;
    }
    Runtime.getRuntime().addShutdownHook(new Thread(() -> vertx.close().await()));
    Relay.deploy(vertx, config).onFailure(t -> {
      System.err.println("llm-relay: cannot start: " + t.getMessage());
      vertx.close().onComplete(v -> System.exit(1));
    });
  }
}
