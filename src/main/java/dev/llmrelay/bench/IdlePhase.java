package dev.llmrelay.bench;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * Every process with no traffic at all, side by side over one window: what an idle relay costs (timers,
 * pool cleaners, the JVM's own threads), next to the floor (an idle Vert.x process) and nginx. From the
 * scheduler's nanoseconds, not clock ticks: at this level a tick is a third of the whole.
 */
final class IdlePhase {

  /** How long the processes rest after the last load before the idle window opens. */
  private static final long SETTLE_MS = 12_000;
  /** Threads listed per process: the few that make an idle process's cost. */
  private static final int THREADS_SHOWN = 5;

  private IdlePhase() {
  }

  /** Watches {@code processes} for {@code seconds} (none when 0) and adds a row each to {@code report}. */
  static void run(Report report, List<RelayProcess> processes, int seconds) {
    if (seconds <= 0 || processes.isEmpty()) {
      return;
    }
    Benchmark.log("idle: " + seconds + " s with no traffic");
    // The window opens once the last phase's tail is over: connections closing, the compiler finishing
    // what that load queued (for some seconds after the load a relay's event loops still wake every few
    // milliseconds).
    RelayProcess.sleep(SETTLE_MS);
    List<Map<String, long[]>> before = new ArrayList<>();
    for (RelayProcess p : processes) {
      before.add(p.cpuNanosByThread());
    }
    long start = System.nanoTime();
    RelayProcess.sleep(seconds * 1000L);
    double elapsed = System.nanoTime() - start;
    for (int i = 0; i < processes.size(); i++) {
      RelayProcess p = processes.get(i);
      Map<String, long[]> after = p.cpuNanosByThread();
      report.idle.add(new Report.IdleRow(p.name(), elapsed / 1e9, (nanos(after) - nanos(before.get(i))) / elapsed,
        busiest(before.get(i), after)));
    }
  }

  /** All threads' nanoseconds on a CPU. */
  private static long nanos(Map<String, long[]> byThread) {
    return byThread.values().stream().mapToLong(spent -> spent[0]).sum();
  }

  /** The threads (by name) that spent the most in the window, at most {@link #THREADS_SHOWN}. */
  private static List<Report.IdleThread> busiest(Map<String, long[]> before, Map<String, long[]> after) {
    List<Report.IdleThread> spent = new ArrayList<>();
    after.forEach((name, now) -> {
      long[] then = before.getOrDefault(name, new long[2]);
      if (now[0] > then[0]) {
        spent.add(new Report.IdleThread(name, (now[0] - then[0]) / 1e6, now[1] - then[1]));
      }
    });
    spent.sort(Comparator.comparingDouble(Report.IdleThread::millis).reversed());
    return List.copyOf(spent.subList(0, Math.min(THREADS_SHOWN, spent.size())));
  }
}
