package dev.llmrelay.bench;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The benchmark's results: one latency row per target and concurrency level, one burst and memory row
 * per process, each relay row set against the direct baseline measured in the same run. Writes the
 * JSON; {@link ReportTable} prints the table.
 */
final class Report {

  /** The label of the pass-through floor's rows (see {@link PassThrough}). */
  static final String FLOOR = "pass-through";

  /** One target at one concurrency level, all rounds together. */
  static final class Row {
    final String endpoint;
    final String upstream;
    final int concurrency;
    final List<long[]> ttft = new ArrayList<>();
    int streams;
    int errors;
    final List<String> errorSamples = new ArrayList<>();
    long elapsedNanos;
    /** The relay's CPU time while this row ran, without its JIT compiler threads. */
    long relayCpuMillis = -1;
    /** The relay's JIT compiler threads' CPU time while this row ran: warm-up that was still going on. */
    long jitMillis = -1;

    Row(String endpoint, String upstream, int concurrency) {
      this.endpoint = endpoint;
      this.upstream = upstream;
      this.concurrency = concurrency;
    }

    void add(LoadGenerator.Result result, RelayProcess.Cpu cpu) {
      ttft.add(result.ttftNanos());
      streams += result.streams();
      errors += result.errors();
      elapsedNanos += result.elapsedNanos();
      for (String e : result.errorSamples()) {
        if (errorSamples.size() < 5) {
          errorSamples.add(e);
        }
      }
      if (cpu != null) {
        relayCpuMillis = Math.max(0, relayCpuMillis) + cpu.workMs();
        jitMillis = Math.max(0, jitMillis) + cpu.jitMs();
      }
    }

    double ttftMs(double percentile) {
      long[] all = ttft.stream().flatMapToLong(Arrays::stream).sorted().toArray();
      if (all.length == 0) {
        return Double.NaN;
      }
      int index = (int) Math.ceil(percentile / 100.0 * all.length) - 1;
      return all[Math.max(0, Math.min(all.length - 1, index))] / 1e6;
    }

    double streamsPerSecond() {
      return elapsedNanos == 0 ? 0 : streams / (elapsedNanos / 1e9);
    }

    /** The relay's CPU time per 1,000 streams, or -1 for the baseline. */
    double cpuMsPer1000() {
      return relayCpuMillis < 0 || streams == 0 ? -1 : relayCpuMillis * 1000.0 / streams;
    }

    double jitMsPer1000() {
      return jitMillis < 0 || streams == 0 ? -1 : jitMillis * 1000.0 / streams;
    }

    /** The share of its core the relay used while this row ran (JIT excluded). */
    double cpuShare() {
      return relayCpuMillis < 0 || elapsedNanos == 0 ? -1 : relayCpuMillis / (elapsedNanos / 1e6);
    }
  }

  /**
   * The burst and memory phase of one process ({@link BurstPhase}): {@code readyMs} from its start to
   * ready (-1: not a relay, or a warm one), the streams' arrival window, their TTFT, and the CPU (and JIT's
   * part of it) from the first arrival until all were receiving ({@code arrivalWallMs}), the process's and
   * the load side's, and the TTFT p50 of the streams sent in each second of the arrival window (a queue
   * that builds up shows as a rising line). The memory readings are -1 for a rehearsal at a warm relay,
   * which takes none.
   */
  record MemoryRow(String upstream, int streams, int reached, int errors, List<String> errorSamples, long rssIdle,
                   long rssOpen, long rssIdleAsIs, long rssOpenAsIs, long heapIdle, long heapOpen, long openFiles,
                   double cpuShareOpen, List<String> histogramTop, long readyMs, long arrivalMs, double ttftP50Ms,
                   double ttftP99Ms, long arrivalCpuMs, long arrivalJitMs, long arrivalWallMs, long loadCpuMs,
                   long loadJitMs, List<Long> ttftP50BySecondMs) {

    boolean memoryMeasured() {
      return rssIdle >= 0;
    }

    /** The process's CPU from the first arrival until all were receiving, as a share of one core. */
    double arrivalShare() {
      return arrivalWallMs <= 0 ? 0 : arrivalCpuMs / (double) arrivalWallMs;
    }

    /** The same for the load side (simulator and load generator, on their one core). */
    double loadShare() {
      return arrivalWallMs <= 0 ? 0 : loadCpuMs / (double) arrivalWallMs;
    }

    /** Resident memory per open stream, both readings right after a full GC. */
    double rssPerStream() {
      return reached == 0 ? 0 : (rssOpen - rssIdle) / (double) reached;
    }

    /** Resident memory per open stream as an operator sees it: no collection forced before either reading. */
    double rssAsIsPerStream() {
      return reached == 0 ? 0 : (rssOpenAsIs - rssIdleAsIs) / (double) reached;
    }

    double heapPerStream() {
      return reached == 0 ? 0 : (heapOpen - heapIdle) / (double) reached;
    }
  }

  /**
   * One process with nothing to do: its CPU over the window, as a share of one core, and its busiest
   * threads in the window, by name.
   */
  record IdleRow(String name, double seconds, double coreShare, List<IdleThread> threads) {
  }

  /** A thread name's CPU in the idle window and how many times it was put on a CPU (its wake-ups, near enough). */
  record IdleThread(String name, double millis, long runs) {
  }

  final List<Row> rows = new ArrayList<>();
  final List<IdleRow> idle = new ArrayList<>();
  final List<MemoryRow> memory = new ArrayList<>();
  final JsonObject machine;

  Report(JsonObject machine) {
    this.machine = machine;
  }

  /** The row of this target at this level, added if it is not there yet. */
  Row row(String endpoint, String upstream, int concurrency) {
    Row r = find(endpoint, upstream, concurrency);
    if (r == null) {
      r = new Row(endpoint, upstream, concurrency);
      rows.add(r);
    }
    return r;
  }

  private Row find(String endpoint, String upstream, int concurrency) {
    for (Row r : rows) {
      if (r.endpoint.equals(endpoint) && r.upstream.equals(upstream) && r.concurrency == concurrency) {
        return r;
      }
    }
    return null;
  }

  /** The direct row at this level, or null when the run measured none there. */
  Row baseline(int concurrency) {
    return find(Endpoint.DIRECT.label, "-", concurrency);
  }

  /** The nginx row at this level, or null when the run had none (or this is a reference row). */
  Row nginx(Row r) {
    if (r.endpoint.equals(Nginx.NAME) || r.endpoint.equals(FLOOR) || r.endpoint.equals(Endpoint.DIRECT.label)) {
      return null;
    }
    return find(Nginx.NAME, "-", r.concurrency);
  }

  /** The pass-through floor's row at this level, or null when the run had none (or this is it). */
  Row floor(Row r) {
    if (r.endpoint.equals(FLOOR) || r.endpoint.equals(Endpoint.DIRECT.label)) {
      return null;
    }
    return find(FLOOR, "-", r.concurrency);
  }

  /** The results as the table the benchmark prints (see {@link ReportTable}). */
  String table() {
    return ReportTable.render(this);
  }

  JsonObject toJson() {
    JsonArray latency = new JsonArray();
    for (Row r : rows) {
      Row base = baseline(r.concurrency);
      JsonObject json = new JsonObject().put("endpoint", r.endpoint).put("upstream", r.upstream)
        .put("concurrency", r.concurrency).put("streams", r.streams).put("errors", r.errors)
        .put("ttftP50Ms", round(r.ttftMs(50))).put("ttftP99Ms", round(r.ttftMs(99)))
        .put("streamsPerSecond", round(r.streamsPerSecond())).put("errorSamples", new JsonArray(r.errorSamples));
      Row floor = floor(r);
      if (floor != null) {
        json.put("beyondFloorTtftP50Ms", round(r.ttftMs(50) - floor.ttftMs(50)))
          .put("beyondFloorTtftP99Ms", round(r.ttftMs(99) - floor.ttftMs(99)));
      }
      if (base != null && r != base) {
        json.put("addedTtftP50Ms", round(r.ttftMs(50) - base.ttftMs(50)))
          .put("addedTtftP99Ms", round(r.ttftMs(99) - base.ttftMs(99)))
          .put("ttftP99Ratio", round(r.ttftMs(99) / base.ttftMs(99)))
          .put("streamsPerSecondRatio", round(r.streamsPerSecond() / base.streamsPerSecond()));
      }
      Row nginx = nginx(r);
      if (nginx != null) {
        json.put("beyondNginxTtftP50Ms", round(r.ttftMs(50) - nginx.ttftMs(50)));
        if (nginx.cpuMsPer1000() > 0 && r.cpuMsPer1000() >= 0) {
          json.put("cpuPer1000RatioToNginx", round(r.cpuMsPer1000() / nginx.cpuMsPer1000()));
        }
      }
      if (r.cpuMsPer1000() >= 0) {
        json.put("relayCpuMsPer1000Streams", round(r.cpuMsPer1000())).put("relayCpuShare", round(r.cpuShare()))
          .put("relayJitMsPer1000Streams", round(r.jitMsPer1000()));
      }
      latency.add(json);
    }
    JsonArray mem = new JsonArray();
    for (MemoryRow m : memory) {
      JsonObject json = new JsonObject().put("upstream", m.upstream()).put("streams", m.streams())
        .put("open", m.reached()).put("errors", m.errors()).put("openFiles", m.openFiles())
        .put("relayCpuShareOpen", round(m.cpuShareOpen())).put("readyMs", m.readyMs()).put("arrivalMs", m.arrivalMs())
        .put("ttftP50Ms", round(m.ttftP50Ms())).put("ttftP99Ms", round(m.ttftP99Ms()))
        .put("arrivalCpuMs", m.arrivalCpuMs()).put("arrivalJitMs", m.arrivalJitMs())
        .put("arrivalWallMs", m.arrivalWallMs()).put("loadCpuMs", m.loadCpuMs()).put("loadJitMs", m.loadJitMs())
        .put("ttftP50BySecondMs", new JsonArray(m.ttftP50BySecondMs()))
        .put("errorSamples", new JsonArray(m.errorSamples()));
      if (m.memoryMeasured()) {
        json.put("rssPerStreamBytes", Math.round(m.rssPerStream())).put("heapPerStreamBytes", Math.round(m.heapPerStream()))
          .put("rssIdleBytes", m.rssIdle()).put("rssAsIsPerStreamBytes", Math.round(m.rssAsIsPerStream()))
          .put("rssIdleAsIsBytes", m.rssIdleAsIs()).put("rssOpenAsIsBytes", m.rssOpenAsIs())
          .put("rssOpenBytes", m.rssOpen()).put("heapIdleBytes", m.heapIdle()).put("heapOpenBytes", m.heapOpen())
          .put("histogramTop", new JsonArray(m.histogramTop()));
      }
      mem.add(json);
    }
    JsonArray idling = new JsonArray();
    for (IdleRow i : idle) {
      JsonArray threads = new JsonArray();
      for (IdleThread t : i.threads()) {
        threads.add(new JsonObject().put("thread", t.name()).put("cpuMs", round(t.millis())).put("runs", t.runs()));
      }
      idling.add(new JsonObject().put("process", i.name()).put("seconds", round(i.seconds()))
        .put("coreShare", Math.round(i.coreShare() * 1e6) / 1e6).put("threads", threads));
    }
    return new JsonObject().put("machine", machine).put("latency", latency).put("memory", mem).put("idle", idling);
  }

  void write(Path file) {
    try {
      if (file.getParent() != null) {
        Files.createDirectories(file.getParent());
      }
      Files.writeString(file, toJson().encodePrettily());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static double round(double v) {
    return Double.isFinite(v) ? Math.round(v * 1000) / 1000.0 : -1;
  }
}
