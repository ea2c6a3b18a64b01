package dev.llmrelay.bench;

import dev.llmrelay.simulator.Simulator;
import io.vertx.core.Vertx;

import java.util.List;

/**
 * A cold burst, and memory per open stream: {@code n} slow EventSource streams arriving evenly over
 * {@code --burst-ms} at a process that has just started (a deploy, a restart, an autoscaled node), all
 * open together for a while. Measures their time to first token and the process's CPU from the first
 * arrival until all are receiving; its resident memory and live heap (after a full GC) with no stream open and
 * while all are open, the difference over {@code n} being the cost of one open stream (client connection,
 * bus stream, upstream stream and its share of the upstream connection); and checks every answer.
 */
final class BurstPhase {

  private final Vertx vertx;
  private final RelayProcess relay;
  private final BenchOptions options;

  BurstPhase(Vertx vertx, RelayProcess relay, BenchOptions options) {
    this.vertx = vertx;
    this.relay = relay;
    this.options = options;
  }

  Report.MemoryRow run(int n) {
    Benchmark.log("burst: " + n + " slow streams arriving over " + options.burstMillis() + " ms at the "
      + relay.name() + (relay.jvm() ? " relay (ready " + relay.readyMillis() + " ms after start)" : ""));
    // As an operator sees it first: resident memory as it is, no collection forced.
    long rssIdleAsIs = relay.rssBytes();
    long heapIdle = relay.jvm() ? relay.liveHeap(0, null).bytes() : 0;
    long rssIdle = relay.rssBytes();
    // nginx passes the simulator's own API through; the relays are measured on their EventSource endpoint.
    Endpoint endpoint = relay.jvm() ? Endpoint.EVENT_SOURCE : Endpoint.DIRECT;
    LoadGenerator load = new LoadGenerator(vertx, "burst", "127.0.0.1", relay.port(), endpoint, n);
    long streamMs = options.memoryTokens() * options.memoryPaceMs();
    long rampMs = options.burstMillis();
    RelayProcess.Cpu cpuAtStart = relay.cpu();
    LoadGenerator.Running running = load.run(n, n, options.memoryPrompt(),
      Simulator.normalAnswer(options.memoryTokens()), rampMs);
    // All open and receiving well before the first ends; the readings wait for that, or a third of a stream.
    long deadline = System.currentTimeMillis() + rampMs + streamMs / 3;
    while (running.receiving() < n && System.currentTimeMillis() < deadline && running.finished() == 0) {
      RelayProcess.sleep(100);
    }
    // The arrivals' cost: from the first request until all are receiving (not the full GCs below).
    RelayProcess.Cpu arrivals = relay.cpu().minus(cpuAtStart);
    long cpuBefore = relay.cpuMillis();
    long windowStart = System.nanoTime();
    RelayProcess.sleep(2000);
    double cpuShare = (relay.cpuMillis() - cpuBefore) / ((System.nanoTime() - windowStart) / 1e6);
    int open = running.open();
    long files = relay.openFiles();
    long rssOpenAsIs = relay.rssBytes();
    // Both readings right after a full GC, as the idle ones were.
    RelayProcess.Histogram heap = relay.jvm() ? relay.liveHeap(12,
      options.out().toAbsolutePath().resolveSibling("relay-" + relay.name() + "-histogram.txt"))
      : new RelayProcess.Histogram(0, List.of());
    long rssOpen = relay.rssBytes();
    Benchmark.log("burst: " + open + " open (" + running.receiving() + " receiving), waiting for them to finish");
    LoadGenerator.Result result = running.result().await();
    load.close().await();
    Report.Row ttft = new Report.Row("burst", relay.name(), n);
    ttft.add(result, null);
    return new Report.MemoryRow(relay.name(), n, open, result.errors(), result.errorSamples(), rssIdle,
      rssOpen, rssIdleAsIs, rssOpenAsIs, heapIdle, heap.bytes(), files, cpuShare, heap.top(),
      relay.jvm() ? relay.readyMillis() : -1, rampMs, ttft.ttftMs(50), ttft.ttftMs(99), arrivals.totalMs(), arrivals.jitMs());
  }
}
