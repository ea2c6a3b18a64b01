package dev.llmrelay.bench;

import dev.llmrelay.simulator.Simulator;
import io.vertx.core.Vertx;

/**
 * Memory per open stream: measures the relay's resident memory and live heap (after a full GC) with
 * no stream open, then opens {@code n} slow EventSource streams through it, measures again while they
 * are all open, and lets them finish, checking every answer. The difference over {@code n} is the
 * cost of one open stream: client connection, bus stream, upstream stream and its share of the
 * upstream connection.
 */
final class MemoryPhase {

  private final Vertx vertx;
  private final RelayProcess relay;
  private final BenchOptions options;

  MemoryPhase(Vertx vertx, RelayProcess relay, BenchOptions options) {
    this.vertx = vertx;
    this.relay = relay;
    this.options = options;
  }

  Report.MemoryRow run(int n) {
    Benchmark.log("memory: " + n + " slow streams through the " + relay.name() + " relay");
    // As an operator sees it first: resident memory as it is, no collection forced.
    long rssIdleAsIs = relay.rssBytes();
    long heapIdle = relay.jvm() ? relay.liveHeap(0, null).bytes() : 0;
    long rssIdle = relay.rssBytes();
    // nginx passes the simulator's own API through; the relays are measured on their EventSource endpoint.
    Endpoint endpoint = relay.jvm() ? Endpoint.EVENT_SOURCE : Endpoint.DIRECT;
    LoadGenerator load = new LoadGenerator(vertx, "memory", "127.0.0.1", relay.port(), endpoint, n);
    long streamMs = options.memoryTokens() * options.memoryPaceMs();
    // Open them over a third of a stream's life, so all are open together well before the first ends.
    long rampMs = streamMs / 3;
    LoadGenerator.Running running = load.run(n, n, options.memoryPrompt(),
      Simulator.normalAnswer(options.memoryTokens()), rampMs);
    long deadline = System.currentTimeMillis() + rampMs + streamMs / 3;
    while (running.receiving() < n && System.currentTimeMillis() < deadline && running.finished() == 0) {
      RelayProcess.sleep(100);
    }
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
      : new RelayProcess.Histogram(0, java.util.List.of());
    long rssOpen = relay.rssBytes();
    Benchmark.log("memory: " + open + " open (" + running.receiving() + " receiving), waiting for them to finish");
    LoadGenerator.Result result = running.result().await();
    load.close().await();
    return new Report.MemoryRow(relay.name(), n, open, result.errors(), result.errorSamples(), rssIdle,
      rssOpen, rssIdleAsIs, rssOpenAsIs, heapIdle, heap.bytes(), files, cpuShare, heap.top());
  }
}
