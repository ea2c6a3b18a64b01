package dev.llmrelay.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * What {@link RelayProcess} reads of its child process: CPU time and resident memory from {@code /proc}
 * (of the process and its descendants), and the live heap with {@code jcmd GC.class_histogram} (which runs
 * a full GC first).
 */
final class ProcReadings {

  private static final long CLOCK_TICKS_PER_SECOND = clockTicks();
  /** The benchmark JVM's own threads. */
  private static final Threads OWN = new Threads();

  private final Process process;
  private final Threads threads = new Threads();

  ProcReadings(Process process) {
    this.process = process;
  }

  /**
   * CPU time this JVM (the benchmark: simulator and load generator) has used so far, its own threads
   * only, not its children (the relays).
   */
  static RelayProcess.Cpu own() {
    return millis(cpuTicks(ProcessHandle.current().pid(), OWN));
  }

  /**
   * User plus system CPU time the relay has used so far, in milliseconds: all threads (of its worker processes
   * too: nginx), and the JIT's.
   */
  RelayProcess.Cpu cpu() {
    long all = 0;
    long jit = 0;
    for (long pid : pids()) {
      long[] used = cpuTicks(pid, threads);
      all += used[0];
      jit += used[1];
    }
    return millis(new long[] {all, jit});
  }

  private static RelayProcess.Cpu millis(long[] ticks) {
    return new RelayProcess.Cpu(ticks[0] * 1000 / CLOCK_TICKS_PER_SECOND, ticks[1] * 1000 / CLOCK_TICKS_PER_SECOND);
  }

  /** This process and its descendants (nginx's workers; taskset execs, so it is the process itself). */
  private List<Long> pids() {
    List<Long> pids = new ArrayList<>();
    pids.add(process.pid());
    process.descendants().forEach(p -> pids.add(p.pid()));
    return pids;
  }

  /**
   * Nanoseconds on a CPU and times put on a CPU so far, from the scheduler (the first and third fields of
   * each {@code /proc/<pid>/task/<tid>/schedstat}: exact where the tick counts of {@link #cpu} are 10 ms
   * steps, for an idle process), by thread name: threads of one name summed, a trailing number dropped
   * ({@code Cleaner-0} and {@code Cleaner-1} count as one; the kernel keeps 15 characters of a name), all
   * processes of the relay together.
   */
  Map<String, long[]> cpuNanosByThread() {
    Map<String, long[]> byName = new TreeMap<>();
    for (long pid : pids()) {
      try (var tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
        for (Path task : (Iterable<Path>) tasks::iterator) {
          try {
            String[] fields = Files.readString(task.resolve("schedstat")).trim().split(" ");
            String name = Files.readString(task.resolve("comm")).trim().replaceFirst("[-#]?[0-9]+$", "");
            long[] sum = byName.computeIfAbsent(name, n -> new long[2]);
            sum[0] += Long.parseLong(fields[0]);
            sum[1] += Long.parseLong(fields[2]);
          } catch (IOException | RuntimeException threadEnded) {
            // gone between the listing and the read
          }
        }
      } catch (IOException gone) {
        // a worker that ended
      }
    }
    return byName;
  }

  /**
   * What is kept of a process's threads between readings: each compiler thread's CPU ticks when last read,
   * by {@code pid/tid} (HotSpot stops compiler threads it no longer needs, and their time leaves the
   * per-thread figures with them: a thread that is gone counts with its last reading); and the threads
   * that are something else (a thread keeps its name), whose {@code stat} is not read again while they
   * last, so that a thread id the kernel gives again is read again.
   */
  private static final class Threads {
    final Map<String, Long> compilers = new ConcurrentHashMap<>();
    final Set<String> others = ConcurrentHashMap.newKeySet();
  }

  /**
   * CPU ticks of process {@code pid}: all of it (from {@code /proc/<pid>/stat}, which keeps the time of
   * threads that ended), and its JIT compiler threads' (from each thread's {@code stat}, as {@code threads}
   * keeps them).
   */
  private static long[] cpuTicks(long pid, Threads threads) {
    long all = ticks(read(Path.of("/proc", Long.toString(pid), "stat")));
    String prefix = pid + "/";
    Set<String> listed = new HashSet<>();
    try (var tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
      for (Path task : (Iterable<Path>) tasks::iterator) {
        String thread = prefix + task.getFileName();
        listed.add(thread);
        if (threads.others.contains(thread)) {
          continue;
        }
        String stat;
        try {
          stat = Files.readString(task.resolve("stat"));
        } catch (IOException threadEnded) {
          continue;
        }
        // The thread name is in parentheses and may hold spaces.
        String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
        if (name.contains("CompilerThre")) {
          threads.compilers.merge(thread, ticks(stat), Math::max);
        } else {
          threads.others.add(thread);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    threads.others.removeIf(thread -> thread.startsWith(prefix) && !listed.contains(thread));
    long jit = threads.compilers.entrySet().stream().filter(e -> e.getKey().startsWith(prefix))
      .mapToLong(Map.Entry::getValue).sum();
    return new long[] {all, jit};
  }

  /** User plus system ticks of a {@code stat} line (the fields after the name in parentheses). */
  private static long ticks(String stat) {
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    return Long.parseLong(f[11]) + Long.parseLong(f[12]);
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
  RelayProcess.Histogram liveHeap(int topLines, Path saveTo) {
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
    return new RelayProcess.Histogram(total, top);
  }

  /** Runs {@code jcmd <pid> command}; for {@code JFR.dump} and the histogram. */
  String jcmd(String... command) {
    List<String> cmd = new ArrayList<>(List.of(jcmdPath(), Long.toString(process.pid())));
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
}
