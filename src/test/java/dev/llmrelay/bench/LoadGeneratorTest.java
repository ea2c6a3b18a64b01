package dev.llmrelay.bench;

import dev.llmrelay.simulator.Simulator;
import dev.llmrelay.testing.RelayHarness;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
      assertEquals(6, result.sentNanos().length);
      for (long sent : result.sentNanos()) {
        assertTrue(sent >= 0 && sent < result.elapsedNanos(), sent + " of " + result.elapsedNanos());
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
  void reconnectClosesTheRunsConnectionsAndTheNextRunOpensNewOnes(Vertx vertx) {
    Simulator simulator = Simulator.start(vertx, "127.0.0.1", 0).await();
    String expected = Simulator.normalAnswer(5);
    LoadGenerator load = new LoadGenerator(vertx, "direct", "127.0.0.1", simulator.port(), Endpoint.DIRECT, 2);
    assertEquals(4, load.run(4, 2, PROMPT, expected, 0).result().await().ok());
    assertEquals(2, simulator.stats().connections());
    assertEquals(4, load.run(4, 2, PROMPT, expected, 0).result().await().ok());
    assertEquals(2, simulator.stats().connections(), "kept alive between runs");
    load.reconnect().await();
    LoadGenerator.Result after = load.run(4, 2, PROMPT, expected, 0).result().await();
    assertEquals(4, after.ok());
    assertEquals(0, after.errors());
    assertEquals(4, simulator.stats().connections());
    load.close().await();
    simulator.stop().await();
  }

  @Test
  void newClientsOpenAConnectionPerStream(Vertx vertx) {
    Simulator simulator = Simulator.start(vertx, "127.0.0.1", 0).await();
    String expected = Simulator.normalAnswer(5);
    LoadGenerator load = LoadGenerator.newClients(vertx, "burst", "127.0.0.1", simulator.port(), Endpoint.DIRECT,
      List.of("127.0.0.1"));
    LoadGenerator.Result result = load.run(4, 2, PROMPT, expected, 0).result().await();
    assertEquals(4, result.ok());
    assertEquals(0, result.errors(), String.valueOf(result.errorSamples()));
    assertEquals(4, simulator.stats().connections(), "none reused, two at a time");
    load.close().await();
    simulator.stop().await();
  }

  @Test
  void newClientsComeFromEachSourceAddressInTurn(Vertx vertx) {
    Simulator simulator = Simulator.start(vertx, "127.0.0.1", 0).await();
    // Between the load side and the simulator: a byte pipe that notes where each connection comes from.
    List<String> from = new CopyOnWriteArrayList<>();
    NetClient pipe = vertx.createNetClient();
    NetServer noting = vertx.createNetServer(new NetServerOptions().setHost("127.0.0.1").setPort(0))
      .connectHandler(socket -> {
        from.add(socket.remoteAddress().host());
        PassThrough.connect(pipe, socket, simulator.port());
      })
      .listen().await();
    LoadGenerator load = LoadGenerator.newClients(vertx, "burst", "127.0.0.1", noting.actualPort(), Endpoint.DIRECT,
      List.of("127.0.0.1", "127.0.0.2"));
    LoadGenerator.Result result = load.run(4, 2, PROMPT, Simulator.normalAnswer(5), 0).result().await();
    assertEquals(4, result.ok());
    assertEquals(0, result.errors(), String.valueOf(result.errorSamples()));
    assertEquals(List.of("127.0.0.1", "127.0.0.1", "127.0.0.2", "127.0.0.2"), from.stream().sorted().toList());
    load.close().await();
    noting.close().await();
    pipe.close().await();
    simulator.stop().await();
  }

  @Test
  void thePassThroughFloorCarriesStreamsUnchanged(Vertx vertx) {
    Simulator simulator = Simulator.start(vertx, "127.0.0.1", 0).await();
    NetServer floor = PassThrough.start(vertx, 0, simulator.port()).await();
    LoadGenerator load = new LoadGenerator(vertx, "pass-through", "127.0.0.1", floor.actualPort(), Endpoint.DIRECT, 2);
    LoadGenerator.Result result = load.run(6, 2, PROMPT, Simulator.normalAnswer(5), 0).result().await();
    assertEquals(6, result.ok());
    assertEquals(0, result.errors(), String.valueOf(result.errorSamples()));
    assertEquals(6, simulator.stats().requests());
    assertEquals(2, simulator.stats().connections(), "one upstream connection per client connection");
    load.close().await();
    floor.close().await();
    simulator.stop().await();
  }

  @Test
  void aRelayRowIsSetAgainstTheBaselineAndThePassThroughFloorOfItsLevel() {
    Report report = new Report(new JsonObject());
    report.row(Endpoint.DIRECT.label, "-", 100).add(result(1_000_000, 3_000_000), null);
    report.row(Report.FLOOR, "-", 100).add(result(1_400_000, 5_000_000), new RelayProcess.Cpu(1, 0));
    report.row("eventsource", "h2", 100).add(result(1_500_000, 5_500_000), new RelayProcess.Cpu(2, 0));
    report.row("eventsource", "h2", 1).add(result(2_000_000, 2_000_000), new RelayProcess.Cpu(2, 0));
    JsonArray rows = report.toJson().getJsonArray("latency");
    JsonObject floor = rows.getJsonObject(1);
    assertEquals(0.4, floor.getDouble("addedTtftP50Ms"));
    assertEquals(2.0, floor.getDouble("addedTtftP99Ms"));
    assertFalse(floor.containsKey("beyondFloorTtftP50Ms"), "the floor is not set against itself");
    JsonObject relay = rows.getJsonObject(2);
    assertEquals(0.5, relay.getDouble("addedTtftP50Ms"));
    assertEquals(2.5, relay.getDouble("addedTtftP99Ms"));
    assertEquals(0.1, relay.getDouble("beyondFloorTtftP50Ms"));
    assertEquals(0.5, relay.getDouble("beyondFloorTtftP99Ms"));
    JsonObject alone = rows.getJsonObject(3);
    assertFalse(alone.containsKey("beyondFloorTtftP50Ms"), "no floor was measured at 1 stream");
    assertFalse(alone.containsKey("addedTtftP50Ms"), "nor a baseline");
    assertEquals(1000.0, alone.getDouble("relayCpuMsPer1000Streams"));
    assertEquals(4, rows.size(), "reading the report adds no rows");
    assertTrue(report.table().contains("eventsource  h2       1       2      0     2.000     2.000          -"),
      report.table());
  }

  @Test
  void aBurstRowShowsBothCoresAndARehearsalNoMemory() {
    Report report = new Report(new JsonObject());
    // nginx: 9,000 streams, 2.0 ms p50; its process used 1,200 ms of 6,000, the load side 5,700.
    report.memory.add(new Report.MemoryRow(Nginx.NAME, 9000, 9000, 0, List.of(), 100L << 20, 250L << 20,
      100L << 20, 250L << 20, 0, 0, 18015, 0.1, List.of(), -1, 6000, 2.0, 90.0, 1200, 0, 6000, 5700, 1200, List.of(2L)));
    // The rehearsal at a warm relay: no memory readings.
    report.memory.add(new Report.MemoryRow("h2 warm", 15000, 15000, 0, List.of(), -1, -1, -1, -1, -1, -1, 15100,
      0.3, List.of(), -1, 6000, 80.0, 1500.0, 4800, 400, 8000, 7600, 1300, List.of(80L)));
    report.memory.add(new Report.MemoryRow("h2", 15000, 15000, 0, List.of(), 200L << 20, 410L << 20, 200L << 20,
      420L << 20, 50L << 20, 275L << 20, 15100, 0.3, List.of("1: x"), 12000, 6000, 100.0, 2000.0, 6800, 2000,
      8000, 7200, 1100, List.of(3L, -1L, 900L)));
    String table = report.table();
    assertTrue(table.contains("h2 warm     15000    15000      0        -      6000      80.0    1500.0      +78.0"
      + "      4800       400       60       95      1300               -            -            -          -"),
      table);
    assertTrue(table.contains("h2          15000    15000      0    12000      6000     100.0    2000.0      +98.0"
      + "      6800      2000       85       90      1100         15.0 KB      14.3 KB      15.4 KB        410"), table);
    JsonArray rows = report.toJson().getJsonArray("memory");
    JsonObject warm = rows.getJsonObject(1);
    assertEquals(7600, warm.getLong("loadCpuMs"));
    assertEquals(8000, warm.getLong("arrivalWallMs"));
    assertFalse(warm.containsKey("rssPerStreamBytes"), "a rehearsal reads no memory");
    assertFalse(warm.containsKey("heapPerStreamBytes"));
    JsonObject fresh = rows.getJsonObject(2);
    // (420 - 200) MB over 15,000 streams
    assertEquals(15379, fresh.getLong("rssAsIsPerStreamBytes"));
    assertEquals(12000, fresh.getLong("readyMs"));
    assertEquals(new JsonArray().add(3L).add(-1L).add(900L), fresh.getJsonArray("ttftP50BySecondMs"));
  }

  @Test
  void theTimeToFirstTokenIsSplitByWhenTheStreamsWereSent() {
    long ms = 1_000_000;
    // Sent at 0.1, 0.2, 0.9 s (TTFT 5, 7, 6 ms), none in the second second, 2.5 and 2.6 s (400, 800 ms).
    LoadGenerator.Result result = new LoadGenerator.Result("t", 5, 5, new long[] {5 * ms, 7 * ms, 6 * ms, 400 * ms,
      800 * ms}, new long[] {100 * ms, 200 * ms, 900 * ms, 2_500 * ms, 2_600 * ms}, 0, List.of(), 3_000 * ms);
    assertArrayEquals(new long[] {6, -1, 800}, result.ttftP50ByStartMs(1000));
  }

  /** Two streams: the first token after {@code fast} and after {@code slow} nanoseconds. */
  private static LoadGenerator.Result result(long fast, long slow) {
    return new LoadGenerator.Result("t", 2, 2, new long[] {fast, slow}, new long[] {0, 0}, 0, List.of(),
      1_000_000_000L);
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
