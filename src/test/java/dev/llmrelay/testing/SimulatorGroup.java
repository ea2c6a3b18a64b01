package dev.llmrelay.testing;

import dev.llmrelay.simulator.SimStream;
import dev.llmrelay.simulator.Simulator;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.LongStream;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The simulators behind a cluster's provider nodes, one per node, read together: a snapshot of how
 * many streams each has started tells afterwards which node served the streams opened since.
 */
public final class SimulatorGroup {

  private final List<Simulator> simulators = new ArrayList<>();

  public Simulator add(Simulator simulator) {
    simulators.add(simulator);
    return simulator;
  }

  public Simulator get(int i) {
    return simulators.get(i);
  }

  /** Streams started so far, per simulator (a snapshot for {@link #newStreams}). */
  public long[] started() {
    return simulators.stream().mapToLong(s -> s.stats().started()).toArray();
  }

  /** Streams started since {@code before}, over all simulators. */
  public long startedSince(long[] before) {
    return LongStream.of(started()).sum() - LongStream.of(before).sum();
  }

  public long aborted() {
    return simulators.stream().mapToLong(s -> s.stats().aborted()).sum();
  }

  public long writeQueueFull() {
    return simulators.stream().mapToLong(s -> s.stats().writeQueueFull()).sum();
  }

  /** The streams the simulators started since {@code before}. */
  public List<SimStream> newStreams(long[] before) {
    List<SimStream> found = new ArrayList<>();
    for (int i = 0; i < before.length; i++) {
      long added = simulators.get(i).stats().started() - before[i];
      List<SimStream> streams = simulators.get(i).stats().streams();
      found.addAll(streams.subList(Math.max(0, streams.size() - (int) added), streams.size()));
    }
    return found;
  }

  /** The one stream started since {@code before}; fails if there are none or several. */
  public SimStream onlyNewStream(long[] before) {
    List<SimStream> found = newStreams(before);
    if (found.size() > 1) {
      fail(found.size() + " new streams, expected one");
    }
    assertTrue(found.size() == 1, "no simulator started a stream");
    return found.get(0);
  }
}
