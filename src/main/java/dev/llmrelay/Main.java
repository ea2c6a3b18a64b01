package dev.llmrelay;

import dev.llmrelay.config.ConfigLoader;
import dev.llmrelay.config.RelayConfig;
import io.vertx.core.Vertx;

/**
 * {@code java -jar target/llm-relay.jar [-conf file.json]}: reads the configuration, deploys the
 * relay and closes Vert.x cleanly on SIGTERM.
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
    Vertx vertx = Vertx.vertx();
    Runtime.getRuntime().addShutdownHook(new Thread(() -> vertx.close().await()));
    Relay.deploy(vertx, config).onFailure(t -> {
      System.err.println("llm-relay: cannot start: " + t.getMessage());
      vertx.close().onComplete(v -> System.exit(1));
    });
  }
}
