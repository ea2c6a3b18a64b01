package dev.llmrelay.bench;

import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** What the benchmark ran on, for the report, and pinning this JVM to its core. */
final class Machine {

  private Machine() {
  }

  static JsonObject describe(BenchOptions options) {
    return new JsonObject()
      .put("cpus", Runtime.getRuntime().availableProcessors())
      .put("cpuModel", cpuModel())
      .put("memoryMb", memoryMb())
      .put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"))
      .put("os", System.getProperty("os.name") + " " + System.getProperty("os.version"))
      .put("loadAverageAtStart", loadAverage())
      .put("relayCpu", options.relayCpu())
      .put("loadCpu", options.loadCpu())
      .put("streamShape", options.prompt())
      .put("memoryStreamShape", options.memoryPrompt())
      .put("openFilesLimit", openFilesLimit());
  }

  /**
   * Pins every thread of this JVM to {@code cpu} with {@code taskset -a -p}; threads started later
   * inherit it. Without taskset or with a single CPU it says so and goes on unpinned.
   */
  static void pinSelf(String cpu) {
    if (cpu == null) {
      return;
    }
    try {
      Process p = new ProcessBuilder("taskset", "-a", "-p", "-c", cpu, Long.toString(ProcessHandle.current().pid()))
        .redirectErrorStream(true).start();
      p.getInputStream().readAllBytes();
      if (p.waitFor() != 0) {
        Benchmark.log("cannot pin the load generator to CPU " + cpu + "; running unpinned");
      }
    } catch (IOException e) {
      Benchmark.log("taskset is not available (" + e.getMessage() + "); running unpinned");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static String cpuModel() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
        if (line.startsWith("model name")) {
          return line.substring(line.indexOf(':') + 1).trim();
        }
      }
    } catch (IOException e) {
      // not Linux
    }
    return "unknown";
  }

  private static long memoryMb() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
        if (line.startsWith("MemTotal:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
        }
      }
    } catch (IOException e) {
      // not Linux
    }
    return -1;
  }

  /** This process's open-files limit (soft), which the relay child inherits. */
  private static String openFilesLimit() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/limits"))) {
        if (line.startsWith("Max open files")) {
          return line.substring("Max open files".length()).trim().split("\\s+")[0];
        }
      }
    } catch (IOException e) {
      // not Linux
    }
    return "unknown";
  }

  static String loadAverage() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).trim();
    } catch (IOException e) {
      return "unknown";
    }
  }
}
