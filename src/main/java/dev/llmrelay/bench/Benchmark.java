package dev.llmrelay.bench;

import dev.llmrelay.config.ConfigLoader;
import dev.llmrelay.config.RelayConfig;
import dev.llmrelay.simulator.Simulator;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * The benchmark, in one run: starts the simulator and the load generator in a JVM of their own (the
 * load side, pinned to one core; {@link #main} starts it and waits), and one relay per upstream protocol
 * as a child JVM (pinned to the other core); measures the direct-to-simulator baseline and every relay
 * path at 1, 100 and 1,000 concurrent streams, the targets taking turns so that noise from other work
 * on the machine falls on all of them alike; then watches them idle; then sends a burst of thousands of
 * slow streams at a freshly started relay, measuring its cold start and memory per open stream. Prints a
 * table and writes JSON. {@code java -cp target/llm-relay.jar dev.llmrelay.bench.Benchmark [--quick]}
 */
public final class Benchmark {

  /** Warm-up rounds after the fixed warm-up, at most, each of this many streams per target of a relay. */
  private static final int SETTLE_ROUNDS = 10;
  private static final int SETTLE_STREAMS = 2_000;
  private static final double QUIET_JIT_SHARE = 0.10;
  /** Warm-up streams one at a time per target, after the main warm-up: the paths of a quiet relay. */
  private static final int WARM_SINGLE = 50;
  /**
   * One thing to measure: the simulator directly, through the pass-through floor, or one relay endpoint
   * over one upstream protocol.
   */
  private record Target(String label, Endpoint endpoint, String upstream, RelayProcess relay, LoadGenerator load) {
  }

  private final Vertx vertx;
  private final BenchOptions options;
  private final Path dir;
  private final String expected;

  private Benchmark(Vertx vertx, BenchOptions options) {
    this.vertx = vertx;
    this.options = options;
    this.dir = options.out().toAbsolutePath().getParent();
    this.expected = Simulator.normalAnswer(options.tokens());
  }

  public static void main(String[] args) {
    BenchOptions options;
    try {
      options = BenchOptions.parse(args, ownJar());
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      System.exit(2);
      return;
    }
    if (!LoadSideJvm.isThisOne()) {
      System.exit(LoadSideJvm.run(args));
    }
    JsonObject machine = Machine.describe(options).put("loadSideJvm", LoadSideJvm.flags());
    Machine.pinSelf(options.loadCpu());
    // The relays' transport (Netty's native epoll), for the load side too: less of its core per connection.
    Vertx vertx = Vertx.vertx(new VertxOptions().setPreferNativeTransport(true));
    try {
      Report report = new Benchmark(vertx, options).run(machine);
      machine.put("loadAverageAtEnd", Machine.loadAverage());
      System.out.println(report.table());
      report.write(options.out());
      System.out.println("JSON: " + options.out());
    } finally {
      vertx.close().await();
    }
  }

  private Report run(JsonObject machine) {
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Report report = new Report(machine);
    Simulator simulator = Simulator.start(vertx, "127.0.0.1", 0).await();
    List<RelayProcess> relays = new ArrayList<>();
    // Every child process, the floor and the relays: each settles after the warm-up, each is closed.
    List<RelayProcess> children = new ArrayList<>();
    try {
      List<Target> targets = new ArrayList<>();
      targets.add(new Target(Endpoint.DIRECT.label, Endpoint.DIRECT, "-", null,
        load(Endpoint.DIRECT, simulator.port())));
      if (options.floor()) {
        RelayProcess floor = startPassThrough(simulator);
        children.add(floor);
        targets.add(new Target(Report.FLOOR, Endpoint.DIRECT, "-", floor, load(Endpoint.DIRECT, floor.port())));
      }
      RelayProcess nginx = null;
      Path nginxBinary = options.nginx() ? Nginx.binary() : null;
      if (nginxBinary != null) {
        nginx = Nginx.start(nginxBinary, dir, freePort(), simulator.port(), options.relayCpu());
        children.add(nginx);
        targets.add(new Target(Nginx.NAME, Endpoint.DIRECT, "-", nginx, load(Endpoint.DIRECT, nginx.port())));
      }
      for (String protocol : options.protocols()) {
        RelayProcess relay = startRelay(protocol, simulator, "");
        relays.add(relay);
        children.add(relay);
        for (Endpoint endpoint : options.endpoints()) {
          targets.add(new Target(endpoint.label, endpoint, protocol, relay, load(endpoint, relay.port())));
        }
      }
      if (options.warmup() > 0) {
        log("warming up: " + options.warmup() + " streams per target at 100 at a time, " + WARM_SINGLE + " one at a time");
        for (Target t : targets) {
          run(t, options.warmup(), 100, options.streamMillis());
          run(t, WARM_SINGLE, 1, 0);
        }
        for (RelayProcess relay : children) {
          settle(relay, targets);
        }
      }
      for (int level = 0; level < options.concurrency().size(); level++) {
        int concurrency = options.concurrency().get(level);
        if (options.streams().get(level) == 0) {
          continue;
        }
        int perRound = Math.max(concurrency, options.streams().get(level) / options.rounds());
        for (int round = 0; round < options.rounds(); round++) {
          for (int i : turns(targets.size(), round)) {
            measure(report, targets.get(i), concurrency, perRound);
          }
        }
        for (Target t : targets) {
          t.load().reconnect().await();
        }
        log("concurrency " + concurrency + " done");
      }
      for (Target t : targets) {
        t.load().close().await();
      }
      IdlePhase.run(report, children, options.idleSeconds());
      burst(report, simulator, nginx, relays);
      return report;
    } finally {
      children.forEach(RelayProcess::close);
      simulator.stop().await();
    }
  }

  /**
   * The burst and memory phase ({@link BurstPhase}): nginx as it is (it has no warm-up to lose), then for
   * each protocol the same burst rehearsed at the warm relay of the run, which is then closed and started
   * afresh, as a deploy or a restart starts it, and the burst sent at once; the new relay is closed after it.
   */
  private void burst(Report report, Simulator simulator, RelayProcess nginx, List<RelayProcess> relays) {
    if (nginx != null && options.memoryStreams().get(0) > 0) {
      // Like the HTTP/1.1 relay, nginx holds an upstream connection per stream.
      report.memory.add(new BurstPhase(vertx, nginx, options).run(options.memoryStreams().get(0)));
    }
    // h2 first: the h1 relay's idle upstream connections would hold sockets in this JVM afterwards.
    for (int i = relays.size() - 1; i >= 0; i--) {
      RelayProcess used = relays.get(i);
      int n = options.memoryStreams().get(used.name().equals("h1") ? 0 : 1);
      if (n > 0) {
        report.memory.add(new BurstPhase(vertx, used, options).rehearse(n));
      }
      used.close();
      if (n > 0) {
        try (RelayProcess fresh = startRelay(used.name(), simulator, "-burst")) {
          report.memory.add(new BurstPhase(vertx, fresh, options).run(n));
        }
      }
    }
  }

  /**
   * More warm-up rounds through {@code relay} until its JIT compiler is quiet: on one core the compiler
   * competes with the event loop, and a relay still compiling is not the relay in steady state. A
   * round is quiet when the compiler used under {@link #QUIET_JIT_SHARE} of the relay's CPU.
   */
  private void settle(RelayProcess relay, List<Target> targets) {
    for (int round = 1; round <= SETTLE_ROUNDS; round++) {
      RelayProcess.Cpu before = relay.cpu();
      for (Target t : targets) {
        if (t.relay() == relay) {
          run(t, SETTLE_STREAMS, 100, options.streamMillis());
        }
      }
      RelayProcess.Cpu used = relay.cpu().minus(before);
      double share = used.totalMs() == 0 ? 0 : (double) used.jitMs() / used.totalMs();
      log(String.format(Locale.ROOT, "settling relay %s, round %d: JIT %d ms of %d ms CPU (%.0f %%)",
        relay.name(), round, used.jitMs(), used.totalMs(), share * 100));
      if (share < QUIET_JIT_SHARE) {
        return;
      }
    }
  }

  /**
   * The order in which the targets take their turns in one round: as listed in the first, shuffled
   * (the same way in every run) in the others. Whatever disturbs the turn after a given one (the
   * previous target's process settling on the shared core, a collection in the load generator) then
   * falls on different paths in different rounds; in a fixed rotation it fell on the same path every
   * time (the path listed after the floor had a p99 several times the others').
   */
  static List<Integer> turns(int targets, int round) {
    List<Integer> order = new ArrayList<>();
    for (int i = 0; i < targets; i++) {
      order.add(i);
    }
    if (round > 0) {
      Collections.shuffle(order, new Random(round));
    }
    return order;
  }

  /**
   * An unmeasured run, then every connection it opened closed, as clients come and go: a relay that
   * has only ever seen connections open has not compiled the paths that close them, and the JIT
   * throws away hot code (deoptimizes it) the first time they run.
   */
  private void run(Target t, int streams, int concurrency, long rampMs) {
    t.load().run(streams, concurrency, options.prompt(), expected, rampMs).result().await();
    t.load().reconnect().await();
  }

  private void measure(Report report, Target target, int concurrency, int streams) {
    RelayProcess.Cpu before = target.relay() == null ? null : target.relay().cpu();
    long ramp = concurrency == 1 ? 0 : options.streamMillis();
    LoadGenerator.Result result = target.load().run(streams, concurrency, options.prompt(), expected, ramp)
      .result().await();
    RelayProcess.Cpu used = before == null ? null : target.relay().cpu().minus(before);
    report.row(target.label(), target.upstream(), concurrency).add(result, used);
    if (used != null) {
      // Round by round, so the spread behind a run's figure shows (this machine is shared).
      log(String.format("%s %s c%d: %d ms CPU per 1,000 streams (JIT %d)", target.label(), target.upstream(),
        concurrency, used.totalMs() * 1000 / streams, used.jitMs() * 1000 / streams));
    }
  }

  /** The pass-through floor on the relay's core, with the relay's JVM arguments. */
  private RelayProcess startPassThrough(Simulator simulator) {
    log("starting the pass-through floor on CPU " + options.relayCpu());
    return RelayProcess.startPassThrough("pass-through", options.jar(), freePort(), simulator.port(),
      options.relayCpu(), options.relayJvmArgs(), dir.resolve("pass-through.log"));
  }

  private LoadGenerator load(Endpoint endpoint, int port) {
    int most = options.concurrency().stream().mapToInt(Integer::intValue).max().orElse(1);
    return new LoadGenerator(vertx, endpoint.label, "127.0.0.1", port, endpoint, most);
  }

  /**
   * The shipped configuration with the protocol under test, nothing else changed: its pools follow
   * from its admission limit, so what is measured is what a user who runs the jar gets.
   */
  private RelayProcess startRelay(String protocol, Simulator simulator, String suffix) {
    RelayConfig defaults = ConfigLoader.defaults();
    RelayConfig config = defaults.withUpstream(defaults.upstream().withHttp2(protocol.equals("h2") ? "on" : "off"));
    try {
      Path file = dir.resolve("relay-" + protocol + ".json");
      JsonObject json = ConfigLoader.toJson(config);
      // Router and provider instances as shipped, 0: one per core the relay may use. Read here, 0 has become
      // this JVM's core count (the load side's CPUs), which need not be the relay's (--relay-cpu).
      json.getJsonObject("http").put("instances", 0);
      json.getJsonObject("upstream").put("instances", 0);
      Files.writeString(file, json.encodePrettily());
      List<String> jvm = new ArrayList<>(options.relayJvmArgs());
      if (options.jfr()) {
        jvm.add("-XX:StartFlightRecording=filename=" + dir.resolve("relay-" + protocol + suffix + ".jfr")
          + ",settings=profile,dumponexit=true");
      }
      log("starting relay " + protocol + " on CPU " + options.relayCpu());
      return RelayProcess.start(protocol, options.jar(), file, simulator.baseUrl(), freePort(), options.relayCpu(),
        jvm, dir.resolve("relay-" + protocol + suffix + ".log"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Path ownJar() {
    try {
      Path location = Path.of(Benchmark.class.getProtectionDomain().getCodeSource().getLocation().toURI());
      if (location.toString().endsWith(".jar")) {
        return location;
      }
    } catch (URISyntaxException | RuntimeException e) {
      // fall through to the conventional place
    }
    Path built = Path.of("target/llm-relay.jar");
    return Files.isRegularFile(built) ? built : null;
  }

  static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static void log(String line) {
    System.out.println("[bench] " + line);
  }
}
