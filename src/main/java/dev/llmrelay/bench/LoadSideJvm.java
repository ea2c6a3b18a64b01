package dev.llmrelay.bench;

import io.vertx.core.json.JsonArray;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;

/**
 * The JVM the load side (simulator and load generator) runs in: the benchmark's command starts it with
 * {@link #FLAGS} and waits for it.
 */
final class LoadSideJvm {

  /** Set in the load side's JVM. */
  private static final String PROPERTY = "llmrelay.bench.loadSide";
  /**
   * One collector thread (the load side has one core), and a young generation that holds a whole burst's
   * allocations (no young collection in a whole run: at most 2.6 GB allocated from one burst's collection
   * to the next), collected just before each burst ({@link BurstPhase}), so that no collection pauses the
   * load side while the streams arrive. With the JVM's defaults (G1 sized for both cores) it paused
   * 0.6–1.5 s in every 6 s burst, copying the new streams' state of both ends (clients and simulator), and
   * the burst measured that. Not pre-touched (that took 30 s): the warm-up's allocations touch the young
   * generation's pages before any burst.
   */
  private static final List<String> FLAGS = List.of("-XX:+UseSerialGC", "-Xms6g", "-Xmx6g", "-Xmn4g",
    "-D" + PROPERTY + "=true");

  private LoadSideJvm() {
  }

  /** Whether this JVM is the load side's. */
  static boolean isThisOne() {
    return Boolean.getBoolean(PROPERTY);
  }

  /** This JVM's flags, for the report. */
  static JsonArray flags() {
    return new JsonArray(ManagementFactory.getRuntimeMXBean().getInputArguments());
  }

  /**
   * Runs {@link Benchmark} with {@code args} in the load side's JVM: {@link #FLAGS}, then this JVM's own
   * flags (so a profiler or a flag given to {@code java} reaches the load side). Returns its exit code.
   */
  static int run(String[] args) {
    List<String> command = new ArrayList<>();
    command.add(ProcessHandle.current().info().command().orElse("java"));
    command.addAll(FLAGS);
    command.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
    command.addAll(List.of("-cp", System.getProperty("java.class.path"), Benchmark.class.getName()));
    command.addAll(List.of(args));
    try {
      Process loadSide = new ProcessBuilder(command).inheritIO().start();
      // Stopped with this JVM, when that is stopped by a signal to it alone.
      Runtime.getRuntime().addShutdownHook(new Thread(loadSide::destroy));
      return loadSide.waitFor();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 1;
    }
  }
}
