package dev.llmrelay.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The relay under test as a child JVM, started the way the README runs it ({@code java -jar
 * target/llm-relay.jar}) with a config file and {@code RELAY_UPSTREAM_URL}, pinned to its own core with
 * {@code taskset}. Reads its CPU time and resident memory from {@code /proc}, and its live heap with
 * {@code jcmd GC.class_histogram} (which runs a full GC first).
 */
final class RelayProcess implements AutoCloseable {

  private final String name;
  private final Process process;
  private final int port;
  private final Path log;
  private final long clockTicksPerSecond;
  private long readyMillis = -1;

  private RelayProcess(String name, Process process, int port, Path log, long clockTicksPerSecond) {
    this.name = name;
    this.process = process;
    this.port = port;
    this.log = log;
    this.clockTicksPerSecond = clockTicksPerSecond;
  }

  /**
   * Starts {@code java [jvmArgs] -jar jar -conf configFile} with the upstream and port in its
   * environment, on CPU {@code cpu} when it is not null; returns once {@code /health} answers 200.
   */
  static RelayProcess start(String name, Path jar, Path configFile, String upstreamUrl, int port, String cpu,
                            List<String> jvmArgs, Path log) {
    ProcessBuilder builder = builder(cpu, jvmArgs, List.of("-jar", jar.toString(), "-conf", configFile.toString()), log);
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
    ProcessBuilder builder = builder(cpu, jvmArgs, List.of("-cp", jar.toString(), PassThrough.class.getName(),
      Integer.toString(port), Integer.toString(targetPort)), log);
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
      RelayProcess process = new RelayProcess(name, builder.start(), port, log, clockTicks());
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
   * User plus system CPU time the relay has used so far, in milliseconds: all threads (of its worker processes
   * too: nginx), and the JIT's.
   */
  Cpu cpu() {
    long all = 0;
    long jit = 0;
    for (long pid : pids()) {
      long[] used = cpuTicks(pid);
      all += used[0];
      jit += used[1];
    }
    return new Cpu(all * 1000 / clockTicksPerSecond, jit * 1000 / clockTicksPerSecond);
  }

  /** This process and its descendants (nginx's workers; taskset execs, so it is the process itself). */
  private List<Long> pids() {
    List<Long> pids = new ArrayList<>();
    pids.add(pid());
    process.descendants().forEach(p -> pids.add(p.pid()));
    return pids;
  }

  /**
   * Nanoseconds on a CPU so far, from the scheduler ({@code /proc/<pid>/task/<tid>/schedstat}), all threads
   * and processes: exact where the tick counts of {@link #cpu} are 10 ms steps, for an idle process.
   */
  long cpuNanos() {
    long sum = 0;
    for (long pid : pids()) {
      try (var tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
        for (Path task : (Iterable<Path>) tasks::iterator) {
          try {
            sum += Long.parseLong(Files.readString(task.resolve("schedstat")).split(" ")[0]);
          } catch (IOException | RuntimeException threadEnded) {
            // gone between the listing and the read
          }
        }
      } catch (IOException gone) {
        // a worker that ended
      }
    }
    return sum;
  }

  private static long[] cpuTicks(long pid) {
    long all = 0;
    long jit = 0;
    try (var tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
      for (Path task : (Iterable<Path>) tasks::iterator) {
        String stat;
        try {
          stat = Files.readString(task.resolve("stat"));
        } catch (IOException threadEnded) {
          continue;
        }
        // The thread name is in parentheses and may hold spaces; the fields follow it.
        String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]);
        all += ticks;
        if (name.contains("CompilerThre")) {
          jit += ticks;
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new long[] {all, jit};
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

  /** Resident set size in bytes ({@code VmRSS}), of the process and its workers. */
  long rssBytes() {
    long sum = 0;
    for (long pid : pids()) {
      for (String line : read(Path.of("/proc", Long.toString(pid), "status")).split("\n")) {
        if (line.startsWith("VmRSS:")) {
          sum += Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
        }
      }
    }
    return sum;
  }

  /** Whether this is a JVM (the relays, the floor), whose live heap {@code jcmd} can read. */
  boolean jvm() {
    return !name.equals(Nginx.NAME);
  }

  /** Open file descriptors, of the process and its workers. */
  long openFiles() {
    long sum = 0;
    for (long pid : pids()) {
      try (var list = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
        sum += list.count();
      } catch (IOException e) {
        return -1;
      }
    }
    return sum;
  }

  /**
   * Bytes of live objects after a full GC, and the histogram's top lines for the report; the whole
   * histogram goes to {@code saveTo} when it is not null.
   */
  Histogram liveHeap(int topLines, Path saveTo) {
    String out = jcmd("GC.class_histogram");
    if (saveTo != null) {
      try {
        Files.writeString(saveTo, out);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    long total = -1;
    List<String> top = new ArrayList<>();
    for (String line : out.split("\n")) {
      String trimmed = line.trim();
      if (trimmed.startsWith("Total")) {
        String[] parts = trimmed.split("\\s+");
        total = Long.parseLong(parts[2]);
      } else if (trimmed.matches("^\\d+:.*") && top.size() < topLines) {
        top.add(trimmed.replaceAll("\\s+", " "));
      }
    }
    return new Histogram(total, top);
  }

  record Histogram(long bytes, List<String> top) {
  }

  /** Runs {@code jcmd <pid> command}; for {@code JFR.dump} and the histogram. */
  String jcmd(String... command) {
    List<String> cmd = new ArrayList<>(List.of(jcmdPath(), Long.toString(pid())));
    cmd.addAll(List.of(command));
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      p.waitFor(120, TimeUnit.SECONDS);
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
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

  private static String jcmdPath() {
    Path java = Path.of(ProcessHandle.current().info().command().orElse("java"));
    Path jcmd = java.resolveSibling("jcmd");
    return Files.isExecutable(jcmd) ? jcmd.toString() : "jcmd";
  }

  private static long clockTicks() {
    try {
      Process p = new ProcessBuilder("getconf", "CLK_TCK").start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      p.waitFor();
      return Long.parseLong(out);
    } catch (IOException | RuntimeException e) {
      return 100;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 100;
    }
  }

  private static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
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
