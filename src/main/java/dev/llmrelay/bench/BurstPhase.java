package dev.llmrelay.bench;

import dev.llmrelay.simulator.Simulator;
import io.vertx.core.Vertx;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;

/**
 * A cold burst, and memory per open stream: {@code n} slow EventSource streams arriving evenly over
 * {@code --burst-ms} at a process that has just started (a deploy, a restart, an autoscaled node), all
 * open together for a while. Measures their time to first token and the process's CPU from the first
 * arrival until all are receiving; its resident memory and live heap (after a full GC) with no stream open and
 * while all are open, the difference over {@code n} being the cost of one open stream (client connection,
 * bus stream, upstream stream and its share of the upstream connection); and checks every answer.
 * The same burst rehearsed at a warm relay ({@link #rehearse}) measures only the first two.
 */
final class BurstPhase {

  /**
   * The local addresses the burst's clients connect from, in turn: on Linux (where the benchmark runs) every
   * 127.x.x.x address is the loopback, so eight of them give each connect() eight times the ephemeral ports.
   */
  private static final List<String> SOURCES = IntStream.rangeClosed(1, 8).mapToObj(i -> "127.0.0." + i).toList();

  private final Vertx vertx;
  private final RelayProcess relay;
  private final BenchOptions options;

  BurstPhase(Vertx vertx, RelayProcess relay, BenchOptions options) {
    this.vertx = vertx;
    this.relay = relay;
    this.options = options;
  }

  /** The measured burst, at a relay that has just started, with its memory readings. */
  Report.MemoryRow run(int n) {
    return run(n, true);
  }

  /**
   * The same burst at a relay that has already carried the whole run (so is warm), before it is closed:
   * its TTFT is what the load side and a warm relay reach together, the reference for the fresh relay's;
   * and it warms this JVM's own paths for thousands of new connections and streams (the load side too
   * compiles code under a burst, on its one core), so the measured burst finds them compiled. No memory
   * readings: its streams sit beside the earlier phases' leftovers.
   */
  Report.MemoryRow rehearse(int n) {
    return run(n, false);
  }

  private Report.MemoryRow run(int n, boolean fresh) {
    String name = fresh ? relay.name() : relay.name() + " warm";
    Benchmark.log("burst: " + n + " slow streams arriving over " + options.burstMillis() + " ms at the "
      + name + (relay.jvm() ? " relay" : "")
      + (fresh && relay.jvm() ? " (ready " + relay.readyMillis() + " ms after start)" : ""));
    Memory idle = fresh ? memory(0, null) : Memory.NOT_MEASURED;
    // nginx passes the simulator's own API through; the relays are measured on their EventSource endpoint.
    Endpoint endpoint = relay.jvm() ? Endpoint.EVENT_SOURCE : Endpoint.DIRECT;
    LoadGenerator load = LoadGenerator.newClients(vertx, "burst", "127.0.0.1", relay.port(), endpoint, SOURCES);
    long streamMs = options.memoryTokens() * options.memoryPaceMs();
    long rampMs = options.burstMillis();
    // The load side starts with its young generation empty, which then holds the whole burst's allocations:
    // no collection pauses it while the streams arrive (its flags, in LoadSideJvm).
    System.gc();
    RelayProcess.Cpu cpuAtStart = relay.cpu();
    RelayProcess.Cpu loadAtStart = ProcReadings.own();
    long arrivalStart = System.nanoTime();
    LoadGenerator.Running running = load.run(n, n, options.memoryPrompt(),
      Simulator.normalAnswer(options.memoryTokens()), rampMs);
    // All open and receiving well before the first ends; the readings wait for that, or a third of a stream.
    long deadline = System.currentTimeMillis() + rampMs + streamMs / 3;
    // Each second's CPU, the relay's and the load side's, as a share of a core: which one was full, and when.
    List<Long> relayBusy = new ArrayList<>();
    List<Long> loadBusy = new ArrayList<>();
    RelayProcess.Cpu relaySecond = cpuAtStart;
    RelayProcess.Cpu loadSecond = loadAtStart;
    long secondStart = arrivalStart;
    while (running.receiving() < n && System.currentTimeMillis() < deadline && running.finished() == 0) {
      RelayProcess.sleep(100);
      RelayProcess.Cpu relayNow = relay.cpu();
      RelayProcess.Cpu loadNow = ProcReadings.own();
      long now = System.nanoTime();
      if (now - secondStart >= 1_000_000_000L) {
        double ms = (now - secondStart) / 1e6;
        relayBusy.add(Math.round(100 * relayNow.minus(relaySecond).totalMs() / ms));
        loadBusy.add(Math.round(100 * loadNow.minus(loadSecond).totalMs() / ms));
        relaySecond = relayNow;
        loadSecond = loadNow;
        secondStart = now;
      }
    }
    Benchmark.log("burst: busy % each second, " + name + " " + relayBusy + ", load side " + loadBusy);
    // The arrivals' cost: from the first request until all are receiving (not the full GCs below); this
    // JVM's too, the load side: where its one core was full, the TTFT is partly its.
    RelayProcess.Cpu arrivals = relay.cpu().minus(cpuAtStart);
    RelayProcess.Cpu loadSide = ProcReadings.own().minus(loadAtStart);
    long arrivalWallMs = (System.nanoTime() - arrivalStart) / 1_000_000;
    long cpuBefore = relay.cpuMillis();
    long windowStart = System.nanoTime();
    RelayProcess.sleep(2000);
    double cpuShare = (relay.cpuMillis() - cpuBefore) / ((System.nanoTime() - windowStart) / 1e6);
    int reached = running.open();
    long files = relay.openFiles();
    Memory open = fresh
      ? memory(12, options.out().toAbsolutePath().resolveSibling("relay-" + relay.name() + "-histogram.txt"))
      : Memory.NOT_MEASURED;
    Benchmark.log("burst: " + reached + " open (" + running.receiving() + " receiving), waiting for them to finish");
    LoadGenerator.Result result = running.result().await();
    load.close().await();
    Report.Row ttft = new Report.Row("burst", name, n);
    ttft.add(result, null);
    List<Long> bySecond = Arrays.stream(result.ttftP50ByStartMs(1000)).boxed().toList();
    Benchmark.log("burst: TTFT p50 of the streams sent in each second " + bySecond + " ms");
    return new Report.MemoryRow(name, n, reached, result.errors(), result.errorSamples(), idle.rss(),
      open.rss(), idle.rssAsIs(), open.rssAsIs(), idle.heap().bytes(), open.heap().bytes(), files, cpuShare,
      open.heap().top(),
      fresh && relay.jvm() ? relay.readyMillis() : -1, rampMs, ttft.ttftMs(50), ttft.ttftMs(99), arrivals.totalMs(),
      arrivals.jitMs(), arrivalWallMs, loadSide.totalMs(), loadSide.jitMs(), bySecond);
  }

  /**
   * Resident memory as an operator sees it (no collection forced), then the live heap after a full GC (a
   * JVM's; its {@code top} classes to {@code histogram}) and resident memory right after that GC.
   */
  private Memory memory(int top, Path histogram) {
    long asIs = relay.rssBytes();
    RelayProcess.Histogram heap = relay.jvm() ? relay.liveHeap(top, histogram) : new RelayProcess.Histogram(0, List.of());
    return new Memory(asIs, heap, relay.rssBytes());
  }

  /** One set of memory readings; -1 throughout for a rehearsal, which takes none. */
  private record Memory(long rssAsIs, RelayProcess.Histogram heap, long rss) {
    static final Memory NOT_MEASURED = new Memory(-1, new RelayProcess.Histogram(-1, List.of()), -1);
  }
}
