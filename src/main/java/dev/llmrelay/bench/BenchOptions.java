package dev.llmrelay.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The benchmark's knobs, from the command line. The defaults are the published run; {@code --quick}
 * is a small run that checks the machinery in seconds.
 *
 * @param streams streams per target at each concurrency level, summed over the rounds
 * @param rounds how many times the targets take turns at each level, so that noise from other work on
 *               the machine falls on the baseline and the relay alike
 * @param memoryStreams slow streams per upstream protocol for the burst and memory phase (0 skips it)
 * @param burstMillis how long those streams take to arrive at a freshly started relay
 */
record BenchOptions(Path jar, Path out, List<Integer> concurrency, List<Integer> streams, int rounds, int warmup,
                    List<String> protocols, List<Endpoint> endpoints, int tokens, long paceMs,
                    List<Integer> memoryStreams, int memoryTokens, long memoryPaceMs, String relayCpu,
                    String loadCpu, boolean jfr, boolean floor, boolean nginx, int idleSeconds,
                    long burstMillis, List<String> relayJvmArgs) {

  static final String USAGE = """
    usage: java -cp target/llm-relay.jar dev.llmrelay.bench.Benchmark [options]
      --quick                 a small run (about two minutes) that checks the machinery
      --out FILE              where to write the JSON (default target/bench/benchmark.json)
      --jar FILE              the relay jar to run (default: the jar this class came from)
      --streams A,B,C         streams per target at concurrency 1, 100, 1000 (default 100,3000,12000; 0 skips)
      --rounds N              turns per level (default 4)
      --warmup N              streams per target before measuring (default 5000)
      --protocols h1,h2       upstream protocols to measure (default both)
      --endpoints eventsource,openai
      --memory N1,N2          slow streams for the h1 and h2 burst and memory phase, each through a freshly
                              started relay (default 9000,15000; 0 skips)
      --burst-ms MS           how long those streams take to arrive (default 6000)
      --relay-cpu N           CPU the relay is pinned to (default 0; "none" to not pin)
      --load-cpu N            CPU for the simulator and load generator (default 1; "none")
      --shape TOKENS,PACE_MS  the measured streams (default 20,10)
      --jfr                   record a JFR profile of each relay into target/bench/
      --no-floor              skip the pass-through floor (a byte-copying process on the relay's core)
      --no-nginx              skip nginx (the reference proxy; installed with apt-get when missing and root)
      --idle SECONDS          how long every process is watched with no traffic (default 30; 0 skips)
      --relay-jvm ARG         an extra JVM argument for the relay (repeatable)
    """;

  static BenchOptions parse(String[] args, Path defaultJar) {
    Path jar = defaultJar;
    Path out = Path.of("target/bench/benchmark.json");
    List<Integer> streams = List.of(100, 3000, 12000);
    int rounds = 4;
    int warmup = 5000;
    List<String> protocols = List.of("h1", "h2");
    List<Endpoint> endpoints = List.of(Endpoint.EVENT_SOURCE, Endpoint.OPENAI);
    List<Integer> memory = List.of(9000, 15000);
    String relayCpu = "0";
    String loadCpu = "1";
    boolean jfr = false;
    boolean floor = true;
    boolean nginx = true;
    int idle = 30;
    long burstMs = 6_000;
    List<Integer> shape = List.of(20, 10);
    List<String> jvm = new ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      switch (a) {
        case "--help" -> throw new IllegalArgumentException(USAGE);
        case "--quick" -> {
          streams = List.of(10, 200, 1000);
          rounds = 2;
          warmup = 200;
          memory = List.of(300, 300);
          idle = 10;
        }
        case "--out" -> out = Path.of(args[++i]);
        case "--jar" -> jar = Path.of(args[++i]);
        case "--streams" -> streams = ints(args[++i]);
        case "--rounds" -> rounds = Integer.parseInt(args[++i]);
        case "--warmup" -> warmup = Integer.parseInt(args[++i]);
        case "--protocols" -> protocols = List.of(args[++i].split(","));
        case "--endpoints" -> endpoints = endpoints(args[++i]);
        case "--memory" -> memory = ints(args[++i]);
        case "--relay-cpu" -> relayCpu = args[++i];
        case "--load-cpu" -> loadCpu = args[++i];
        case "--jfr" -> jfr = true;
        case "--no-floor" -> floor = false;
        case "--no-nginx" -> nginx = false;
        case "--idle" -> idle = Integer.parseInt(args[++i]);
        case "--burst-ms" -> burstMs = Long.parseLong(args[++i]);
        case "--shape" -> shape = ints(args[++i]);
        case "--relay-jvm" -> jvm.add(args[++i]);
        default -> throw new IllegalArgumentException("unknown option " + a + "\n" + USAGE);
      }
    }
    if (streams.size() != 3 || memory.size() != 2) {
      throw new IllegalArgumentException("--streams takes three numbers and --memory two\n" + USAGE);
    }
    if (jar == null) {
      throw new IllegalArgumentException("no relay jar: build it (mvn -B -q -DskipTests package) or pass --jar\n" + USAGE);
    }
    return new BenchOptions(jar, out, List.of(1, 100, 1000), streams, rounds, warmup, protocols, endpoints,
      shape.get(0), shape.get(1),
      memory, 20, 1500, "none".equals(relayCpu) ? null : relayCpu, "none".equals(loadCpu) ? null : loadCpu, jfr, floor,
      nginx, idle, burstMs, List.copyOf(jvm));
  }

  /** The prompt of a measured stream, e.g. {@code bench [sim tokens=20 paceMs=10]}. */
  String prompt() {
    return "bench [sim tokens=" + tokens + " paceMs=" + paceMs + "]";
  }

  String memoryPrompt() {
    return "hold [sim tokens=" + memoryTokens + " paceMs=" + memoryPaceMs + "]";
  }

  /** How long one measured stream lasts at the simulator: the ramp that spreads arrivals evenly. */
  long streamMillis() {
    return tokens * paceMs;
  }

  private static List<Integer> ints(String csv) {
    List<Integer> list = new ArrayList<>();
    for (String s : csv.split(",")) {
      list.add(Integer.parseInt(s.trim()));
    }
    return List.copyOf(list);
  }

  private static List<Endpoint> endpoints(String csv) {
    List<Endpoint> list = new ArrayList<>();
    for (String s : csv.split(",")) {
      list.add(switch (s.trim()) {
        case "eventsource" -> Endpoint.EVENT_SOURCE;
        case "openai" -> Endpoint.OPENAI;
        default -> throw new IllegalArgumentException("unknown endpoint " + s + " (eventsource, openai)");
      });
    }
    return List.copyOf(list);
  }
}
