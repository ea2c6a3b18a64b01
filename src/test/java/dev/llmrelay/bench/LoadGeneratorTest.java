package dev.llmrelay.bench;

import dev.llmrelay.simulator.Simulator;
import dev.llmrelay.testing.RelayHarness;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A smoke test of the benchmark's load side with tiny numbers: each endpoint's streams are read,
 * timed and checked; a wrong answer counts as an error; the report sets a relay row against the
 * baseline. No timing is asserted.
 */
@ExtendWith(VertxExtension.class)
class LoadGeneratorTest {

  private static final String PROMPT = "bench [sim tokens=5 paceMs=1]";

  @Test
  void everyEndpointStreamsAreTimedAndChecked(Vertx vertx) {
    RelayHarness h = RelayHarness.start(vertx);
    String expected = Simulator.normalAnswer(5);
    assertEquals("The quick brown fox jumps ", expected);
    Report report = new Report(new JsonObject());
    for (Endpoint endpoint : Endpoint.values()) {
      int port = endpoint == Endpoint.DIRECT ? h.simulator.port() : h.port;
      LoadGenerator load = new LoadGenerator(vertx, endpoint.label, "127.0.0.1", port, endpoint, 3);
      LoadGenerator.Result result = load.run(6, 3, PROMPT, expected, 10).result().await();
      assertEquals(0, result.errors(), endpoint + ": " + result.errorSamples());
      assertEquals(6, result.ok());
      for (long ttft : result.ttftNanos()) {
        assertTrue(ttft > 0);
      }
      report.row(endpoint.label, endpoint == Endpoint.DIRECT ? "-" : "h1", 3)
        .add(result, endpoint == Endpoint.DIRECT ? null : new RelayProcess.Cpu(12, 2));
      load.close().await();
    }
    String table = report.table();
    assertTrue(table.contains("eventsource  h1       3       6      0"), table);
    JsonObject row = report.toJson().getJsonArray("latency").getJsonObject(1);
    assertEquals("eventsource", row.getString("endpoint"));
    assertEquals(1666.667, row.getDouble("relayCpuMsPer1000Streams"), "10 ms of work (12 less 2 of JIT) for 6 streams");
    assertEquals(333.333, row.getDouble("relayJitMsPer1000Streams"));
    h.stop();
  }

  @Test
  void aWrongAnswerIsAnError(Vertx vertx) {
    RelayHarness h = RelayHarness.start(vertx);
    LoadGenerator load = new LoadGenerator(vertx, "eventsource", "127.0.0.1", h.port, Endpoint.EVENT_SOURCE, 2);
    LoadGenerator.Result result = load.run(2, 2, PROMPT, "something else", 0).result().await();
    assertEquals(2, result.errors());
    assertEquals(List.of("wrong text: The quick brown fox jumps ", "wrong text: The quick brown fox jumps "),
      result.errorSamples());
    load.close().await();
    h.stop();
  }

  @Test
  void aRunOfNoStreamsEndsAtOnceWithoutSendingAnything(Vertx vertx) {
    RelayHarness h = RelayHarness.start(vertx);
    LoadGenerator load = new LoadGenerator(vertx, "eventsource", "127.0.0.1", h.port, Endpoint.EVENT_SOURCE, 2);
    LoadGenerator.Result result = load.run(0, 100, PROMPT, "unused", 0).result().await();
    assertEquals(0, result.ok());
    assertEquals(0, result.errors());
    assertEquals(0, h.simulator.stats().requests());
    load.close().await();
    h.stop();
  }

  @Test
  void eventsDecodeByEndpoint() {
    assertEquals(new Endpoint.Event(Endpoint.Kind.TEXT, "hé"), Endpoint.EVENT_SOURCE.decode("message",
      bytes("{\"text\":\"hé\",\"metadata\":{\"model\":\"m\",\"provider\":\"openrouter\",\"timestamp\":1}}")));
    assertEquals(Endpoint.Event.DONE, Endpoint.EVENT_SOURCE.decode("message",
      bytes("{\"text\":\"[DONE]\",\"metadata\":{\"provider\":\"system\",\"finishReason\":\"stop\"}}")));
    assertEquals(Endpoint.Kind.ERROR, Endpoint.EVENT_SOURCE.decode("error", bytes("{\"error\":\"x\"}")).kind());
    assertEquals(new Endpoint.Event(Endpoint.Kind.TEXT, "The "), Endpoint.OPENAI.decode("message",
      bytes("{\"id\":\"g\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"The \"},\"finish_reason\":null}]}")));
    assertEquals(Endpoint.Event.OTHER, Endpoint.DIRECT.decode("message",
      bytes("{\"choices\":[{\"delta\":{\"role\":\"assistant\",\"content\":\"\"}}]}")));
    assertEquals(Endpoint.Event.DONE, Endpoint.DIRECT.decode("message", bytes("[DONE]")));
    assertEquals(Endpoint.Kind.ERROR, Endpoint.OPENAI.decode("message",
      bytes("{\"choices\":[],\"error\":{\"message\":\"boom\"}}")).kind());
    assertEquals(Endpoint.Kind.OTHER, Endpoint.OPENAI.decode("message",
      bytes("{\"choices\":[{\"delta\":{\"content\":\"\"},\"error\":null}]}")).kind());
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
