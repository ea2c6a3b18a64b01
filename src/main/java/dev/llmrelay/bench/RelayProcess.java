package dev.llmrelay.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The relay under test as a child JVM, started the way the README runs it ({@code java @conf/jvm.options -jar
 * target/llm-relay.jar}) with a config file and {@code RELAY_UPSTREAM_URL}, pinned to its own core with
 * {@code taskset}. Its CPU time, resident memory and live heap are read by {@link ProcReadings}.
 */
final class RelayProcess implements AutoCloseable {

  /** The JVM flags of the README's run command, {@code java @conf/jvm.options -jar target/llm-relay.jar}. */
  static final Path RUN_FLAGS = Path.of("conf", "jvm.options");

  /** How often the compiler threads' CPU time is read. */
  private static final long SAMPLE_MS = 100;

  private final String name;
  private final Process process;
  private final int port;
  private final Path log;
  private final ProcReadings readings;
  private long readyMillis = -1;

  private RelayProcess(String name, Process process, int port, Path log) {
    this.name = name;
    this.process = process;
    this.port = port;
    this.log = log;
    this.readings = new ProcReadings(process);
    if (jvm()) {
      // HotSpot stops compiler threads it no longer needs, and their CPU time leaves /proc with them: reading
      // them often keeps what they did (ProcReadings remembers each one's last reading). The load side's own
      // are read as often during a burst, the only phase that reports them (BurstPhase).
      Thread sampler = new Thread(() -> {
        try {
          while (process.isAlive()) {
            readings.cpu();
            sleep(SAMPLE_MS);
          }
        } catch (RuntimeException ended) {
          // the process ended between the check and the reading
        }
      }, "cpu-sampler-" + name);
      sampler.setDaemon(true);
      sampler.start();
    }
  }

  /**
   * Starts {@code java [jvmArgs] -jar jar -conf configFile} with the upstream and port in its
   * environment, on CPU {@code cpu} when it is not null; returns once {@code /health} answers 200.
   */
  static RelayProcess start(String name, Path jar, Path configFile, String upstreamUrl, int port, String cpu,
                            List<String> jvmArgs, Path log) {
    ProcessBuilder builder = builder(cpu, withRunFlags(jvmArgs), List.of("-jar", jar.toString(), "-conf",
      configFile.toString()), log);
    Map<String, String> env = builder.environment();
    env.remove("OPENROUTER_API_KEY");
    env.put("RELAY_UPSTREAM_URL", upstreamUrl);
    env.put("RELAY_HTTP_PORT", Integer.toString(port));
    env.put("RELAY_HTTP_HOST", "127.0.0.1");
    return launch(name, builder, port, log, true);
  }

  /**
   * Starts {@link PassThrough} from {@code jar} between {@code port} and {@code targetPort}, like a
   * relay; returns once an HTTP request through it is answered (by the simulator behind it).
   */
  static RelayProcess startPassThrough(String name, Path jar, int port, int targetPort, String cpu,
                                       List<String> jvmArgs, Path log) {
    ProcessBuilder builder = builder(cpu, withRunFlags(jvmArgs), List.of("-cp", jar.toString(),
      PassThrough.class.getName(), Integer.toString(port), Integer.toString(targetPort)), log);
    return launch(name, builder, port, log, false);
  }

  /**
   * Starts nginx ({@link Nginx}) in the foreground with {@code configFile}, on CPU {@code cpu}; returns once
   * an HTTP request through it is answered.
   */
  static RelayProcess startNginx(String name, Path nginx, Path configFile, Path prefix, int port, String cpu, Path log) {
    List<String> command = new ArrayList<>();
    if (cpu != null) {
      command.addAll(List.of("taskset", "-c", cpu));
    }
    command.addAll(List.of(nginx.toString(), "-p", prefix.toString(), "-c", configFile.toString(),
      "-e", prefix.resolve("error.log").toString()));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    return launch(name, builder, port, log, false);
  }

  /**
   * The README's run command's JVM flags (the project's {@code conf/jvm.options}, see docs/operations.md, JVM
   * flags), then the benchmark's own, which win where both set one.
   */
  private static List<String> withRunFlags(List<String> jvmArgs) {
    if (!Files.isRegularFile(RUN_FLAGS)) {
      throw new IllegalStateException("no " + RUN_FLAGS + " here: run the benchmark from the project directory");
    }
    List<String> flags = new ArrayList<>(List.of("@" + RUN_FLAGS.toAbsolutePath()));
    flags.addAll(jvmArgs);
    return flags;
  }

  private static ProcessBuilder builder(String cpu, List<String> jvmArgs, List<String> main, Path log) {
    List<String> command = new ArrayList<>();
    if (cpu != null) {
      command.addAll(List.of("taskset", "-c", cpu));
    }
    command.add(ProcessHandle.current().info().command().orElse("java"));
    command.addAll(jvmArgs);
    command.addAll(main);
    return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
  }

  private static RelayProcess launch(String name, ProcessBuilder builder, int port, Path log, boolean healthy) {
    try {
      long started = System.nanoTime();
      RelayProcess process = new RelayProcess(name, builder.start(), port, log);
      process.awaitAnswer(Duration.ofSeconds(60), healthy);
      process.readyMillis = (System.nanoTime() - started) / 1_000_000;
      return process;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + name + ": " + e.getMessage(), e);
    }
  }

  String name() {
    return name;
  }

  int port() {
    return port;
  }

  /**
   * Milliseconds from starting the process to its first answer (a relay: {@code /health} 200), polled every
   * 20 ms.
   */
  long readyMillis() {
    return readyMillis;
  }

  long pid() {
    return process.pid();
  }

  /**
   * User plus system CPU time the relay has used so far, in milliseconds (see {@link ProcReadings#cpu}).
   */
  Cpu cpu() {
    return readings.cpu();
  }

  /** Nanoseconds on a CPU and times scheduled so far, by thread name (see {@link ProcReadings#cpuNanosByThread}). */
  Map<String, long[]> cpuNanosByThread() {
    return readings.cpuNanosByThread();
  }

  /** Milliseconds of CPU: the whole process, and its JIT compiler threads (a warm-up cost). */
  record Cpu(long totalMs, long jitMs) {
    Cpu minus(Cpu before) {
      return new Cpu(totalMs - before.totalMs, jitMs - before.jitMs);
    }

    /** Everything but the JIT: the relay's own work, steady state. */
    long workMs() {
      return totalMs - jitMs;
    }
  }

  /**
   * CPU time since the process started, in milliseconds. Threads that ended took their time with them,
   * so this is for short windows only (the relay's threads live as long as it does).
   */
  long cpuMillis() {
    return cpu().totalMs();
  }

  /** Resident set size in bytes (see {@link ProcReadings#rssBytes}). */
  long rssBytes() {
    return readings.rssBytes();
  }

  /** Whether this is a JVM (the relays, the floor), whose live heap {@code jcmd} can read. */
  boolean jvm() {
    return !name.equals(Nginx.NAME);
  }

  /** Open file descriptors, of the process and its workers. */
  long openFiles() {
    return readings.openFiles();
  }

  /** Live heap after a full GC (see {@link ProcReadings#liveHeap}). */
  Histogram liveHeap(int topLines, Path saveTo) {
    return readings.liveHeap(topLines, saveTo);
  }

  record Histogram(long bytes, List<String> top) {
  }

  /** Runs {@code jcmd <pid> command}; for {@code JFR.dump} and the histogram. */
  String jcmd(String... command) {
    return readings.jcmd(command);
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(15, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
  }

  /** Waits until {@code GET /health} is answered: with 200 when {@code healthy}, else with anything. */
  private void awaitAnswer(Duration timeout, boolean healthy) {
    HttpClient client = HttpClient.newHttpClient();
    HttpRequest health = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health"))
      .timeout(Duration.ofSeconds(2)).build();
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException(name + " exited with " + process.exitValue() + "; see " + log);
      }
      try {
        int status = client.send(health, HttpResponse.BodyHandlers.discarding()).statusCode();
        if (status == 200 || !healthy) {
          return;
        }
      } catch (IOException notYet) {
        // not listening yet
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
      sleep(20);
    }
    throw new IllegalStateException(name + " did not answer in " + timeout + "; see " + log);
  }

  static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
