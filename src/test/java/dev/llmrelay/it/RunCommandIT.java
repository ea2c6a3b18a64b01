package dev.llmrelay.it;

import dev.llmrelay.simulator.Simulator;
import dev.llmrelay.testing.Await;
import dev.llmrelay.testing.RelayHarness;
import dev.llmrelay.testing.SseClient;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The README's run command as a new user runs it: {@code java @conf/jvm.options -jar target/llm-relay.jar} from the
 * project directory, with nothing configured (simulator mode), and with a key (which must never show).
 */
@ExtendWith(VertxExtension.class)
class RunCommandIT {

  private static final String KEY = "sk-or-v1-test-secret-0123456789abcdef";

  private Process start(int port, Map<String, String> env, Path log) throws IOException {
    ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
      "@conf/jvm.options", "-jar", "target/llm-relay.jar")
      .directory(new File(System.getProperty("user.dir")))
      .redirectErrorStream(true)
      .redirectOutput(log.toFile());
    builder.environment().remove("OPENROUTER_API_KEY");
    builder.environment().remove("RELAY_UPSTREAM_URL");
    builder.environment().put("RELAY_HTTP_PORT", Integer.toString(port));
    builder.environment().put("RELAY_HTTP_HOST", "127.0.0.1");
    builder.environment().putAll(env);
    return builder.start();
  }

  private static void stop(Process process) throws InterruptedException {
    process.destroy();
    if (!process.waitFor(20, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
    }
  }

  @Test
  void withNothingConfiguredItServesModelsAndAStreamFromTheSimulator(Vertx vertx) throws Exception {
    int port = RelayHarness.freePort();
    Path log = Files.createTempFile("relay", ".log");
    Process process = start(port, Map.of(), log);
    try {
      SseClient client = new SseClient(vertx, port);
      Await.until(() -> Files.exists(log) && read(log).contains("listening on"), 60_000, "the relay starts");

      JsonObject models = new JsonObject(client.get("/api/v1/llm/models").await().body());
      assertTrue(models.getBoolean("simulated"));
      assertTrue(models.getString("notice").startsWith("SIMULATOR MODE"));

      SseClient.Result stream = client.get(SseClient.query(SseClient.userMessages("hello [sim tokens=5 paceMs=1]"), null))
        .await();
      assertEquals("The quick brown fox jumps ", stream.text());
      assertEquals("[DONE]", stream.last().json().getString("text"));
      assertTrue(read(log).contains("SIMULATOR MODE"), read(log));
      // It warmed up before it listened, every warm-up stream answered, and none of them counts as the relay's:
      // its metrics hold the one stream above (five tokens) and its access log one line.
      String text = read(log);
      assertTrue(text.indexOf("Warmed up: 4500 streams through 2 copies of the relay") >= 0
        && text.indexOf("Warmed up") < text.indexOf("listening on"), text);
      assertFalse(text.contains("failed)"), text);
      // The jar carries Netty's epoll library and the run command loads it (CI's machine is Linux x86-64).
      assertTrue(text.contains("epoll transport)"), text);
      String metrics = client.get("/metrics").await().body();
      assertEquals(1.0, sum(metrics, "relay_stream_ttft_seconds_count"), metrics);
      assertEquals(5.0, sum(metrics, "relay_tokens_total{kind=\"completion\""), metrics);
      Await.until(() -> read(log).contains("\"endpoint\""), 5_000, "the stream's access log line");
      assertEquals(1, read(log).lines().filter(line -> line.contains("\"endpoint\"")).count(), read(log));
    } finally {
      stop(process);
    }
  }

  @Test
  void theApiKeyReachesTheUpstreamButNeverALogLineOrAClient(Vertx vertx) throws Exception {
    Simulator simulator = Simulator.start(vertx, "127.0.0.1", 0).await();
    int port = RelayHarness.freePort();
    Path log = Files.createTempFile("relay", ".log");
    Process process = start(port, Map.of("OPENROUTER_API_KEY", KEY, "RELAY_UPSTREAM_URL", simulator.baseUrl()), log);
    try {
      SseClient client = new SseClient(vertx, port);
      Await.until(() -> Files.exists(log) && read(log).contains("listening on"), 60_000, "the relay starts");

      SseClient.Result ok = client.get(SseClient.query(SseClient.userMessages("hi [sim tokens=2]"), null)).await();
      SseClient.Result failed = client.get(SseClient.query(SseClient.userMessages("hi"),
        new JsonObject().put("model", "sim/auth").encode())).await();
      String models = client.get("/api/v1/llm/models").await().body();
      String health = client.get("/health").await().body();

      assertEquals("Bearer " + KEY, simulator.stats().lastAuthorization());
      assertFalse(new JsonObject(models).getBoolean("simulated"));
      for (String seen : new String[] {ok.body(), failed.body(), models, health, read(log)}) {
        assertFalse(seen.contains(KEY), "the key leaked: " + seen);
        assertFalse(seen.contains("test-secret"), "part of the key leaked: " + seen);
      }
      assertEquals("auth", failed.last().json().getString("type"));
    } finally {
      stop(process);
      simulator.stop().await();
    }
  }

  /** The sum of the Prometheus samples whose series starts with {@code series}. */
  private static double sum(String metrics, String series) {
    return metrics.lines().filter(line -> line.startsWith(series) && !line.startsWith("#"))
      .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1))).sum();
  }

  private static String read(Path log) {
    try {
      return Files.readString(log);
    } catch (IOException e) {
      return "";
    }
  }
}
