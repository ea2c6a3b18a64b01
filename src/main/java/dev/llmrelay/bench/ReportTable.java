package dev.llmrelay.bench;

import dev.llmrelay.bench.Report.IdleRow;
import dev.llmrelay.bench.Report.IdleThread;
import dev.llmrelay.bench.Report.MemoryRow;
import dev.llmrelay.bench.Report.Row;

import java.util.Locale;

/**
 * The benchmark's results as the table it prints: the latency rows (each against the direct baseline,
 * the floor and nginx of the same level), the burst and memory rows, the idle rows with their busiest
 * threads, then any error samples.
 */
final class ReportTable {

  private ReportTable() {
  }

  static String render(Report report) {
    StringBuilder out = new StringBuilder();
    out.append(String.format(Locale.ROOT,
      "%-12s %-4s %5s %7s %6s %9s %9s %10s %10s %10s %10s %10s %8s %9s %8s %11s %9s %6s %9s%n",
      "endpoint", "up", "conc", "streams", "errors", "ttft p50", "ttft p99", "added p50", "added p99",
      "floor+ p50", "floor+ p99", "nginx+ p50", "p99 x", "streams/s", "rate x", "cpu ms/1k", "cpu x ngx", "cpu %",
      "jit ms/1k"));
    for (Row r : report.rows) {
      Row base = report.baseline(r.concurrency);
      Row floor = report.floor(r);
      Row nginx = report.nginx(r);
      boolean noBaseline = base == null || r == base;
      out.append(String.format(Locale.ROOT,
        "%-12s %-4s %5d %7d %6d %9.3f %9.3f %10s %10s %10s %10s %10s %8s %9.0f %8s %11s %9s %6s %9s%n",
        r.endpoint, r.upstream, r.concurrency, r.streams, r.errors, r.ttftMs(50), r.ttftMs(99),
        noBaseline ? "-" : fmt(r.ttftMs(50) - base.ttftMs(50)), noBaseline ? "-" : fmt(r.ttftMs(99) - base.ttftMs(99)),
        floor == null ? "-" : fmt(r.ttftMs(50) - floor.ttftMs(50)),
        floor == null ? "-" : fmt(r.ttftMs(99) - floor.ttftMs(99)),
        nginx == null ? "-" : fmt(r.ttftMs(50) - nginx.ttftMs(50)),
        noBaseline ? "-" : fmt2(r.ttftMs(99) / base.ttftMs(99)), r.streamsPerSecond(),
        noBaseline ? "-" : fmt2(r.streamsPerSecond() / base.streamsPerSecond()),
        r.cpuMsPer1000() < 0 ? "-" : String.format(Locale.ROOT, "%.0f", r.cpuMsPer1000()),
        nginx == null || nginx.cpuMsPer1000() <= 0 || r.cpuMsPer1000() < 0 ? "-"
          : fmt2(r.cpuMsPer1000() / nginx.cpuMsPer1000()),
        r.cpuShare() < 0 ? "-" : String.format(Locale.ROOT, "%.0f", 100 * r.cpuShare()),
        r.jitMsPer1000() < 0 ? "-" : String.format(Locale.ROOT, "%.0f", r.jitMsPer1000())));
    }
    if (!report.memory.isEmpty()) {
      MemoryRow nginx = report.memory.stream().filter(m -> m.upstream().equals(Nginx.NAME)).findFirst().orElse(null);
      out.append(String.format(Locale.ROOT,
        "%n%-8s %8s %8s %6s %8s %9s %9s %9s %10s %9s %9s %8s %8s %9s %15s %12s %12s %10s %7s %6s%n",
        "burst", "streams", "open", "errors", "ready ms", "over ms", "ttft p50", "ttft p99", "nginx+ p50", "cpu ms",
        "jit ms", "busy %", "load %", "load jit", "RSS/stream as-is", "RSS/stream", "heap/stream", "RSS MB", "fds",
        "cpu %"));
      for (MemoryRow m : report.memory) {
        boolean mem = m.memoryMeasured();
        out.append(String.format(Locale.ROOT,
          "%-8s %8d %8d %6d %8s %9d %9.1f %9.1f %10s %9d %9d %8.0f %8.0f %9d %15s %12s %12s %10s %7d %6.0f%n",
          m.upstream(), m.streams(), m.reached(), m.errors(), m.readyMs() < 0 ? "-" : Long.toString(m.readyMs()),
          m.arrivalMs(), m.ttftP50Ms(), m.ttftP99Ms(),
          nginx == null || m == nginx ? "-" : String.format(Locale.ROOT, "%+.1f", m.ttftP50Ms() - nginx.ttftP50Ms()),
          m.arrivalCpuMs(), m.arrivalJitMs(), 100 * m.arrivalShare(), 100 * m.loadShare(), m.loadJitMs(),
          mem ? kb(m.rssAsIsPerStream()) : "-", mem ? kb(m.rssPerStream()) : "-", mem ? kb(m.heapPerStream()) : "-",
          mem ? String.format(Locale.ROOT, "%.0f", m.rssOpen() / 1048576.0) : "-", m.openFiles(),
          100 * m.cpuShareOpen()));
      }
    }
    if (!report.idle.isEmpty()) {
      out.append(String.format(Locale.ROOT, "%n%-14s %10s %14s%n", "idle", "seconds", "% of a core"));
      for (IdleRow i : report.idle) {
        out.append(String.format(Locale.ROOT, "%-14s %10.0f %14.3f", i.name(), i.seconds(), 100 * i.coreShare()));
        for (IdleThread t : i.threads()) {
          out.append(String.format(Locale.ROOT, "   %s %.1f ms/%d", t.name(), t.millis(), t.runs()));
        }
        out.append('\n');
      }
    }
    for (Row r : report.rows) {
      for (String e : r.errorSamples) {
        out.append("error ").append(r.endpoint).append('/').append(r.upstream).append('/').append(r.concurrency)
          .append(": ").append(e).append('\n');
      }
    }
    for (MemoryRow m : report.memory) {
      for (String e : m.errorSamples()) {
        out.append("error burst/").append(m.upstream()).append(": ").append(e).append('\n');
      }
    }
    return out.toString();
  }

  private static String kb(double bytes) {
    return String.format(Locale.ROOT, "%.1f KB", bytes / 1024);
  }

  private static String fmt(double ms) {
    return String.format(Locale.ROOT, "%+.3f", ms);
  }

  private static String fmt2(double ratio) {
    return String.format(Locale.ROOT, "%.2f", ratio);
  }
}
