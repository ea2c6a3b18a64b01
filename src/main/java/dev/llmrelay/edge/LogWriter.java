package dev.llmrelay.edge;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Hands lines to a writer thread through a bounded queue, so an event loop never waits for a log
 * handler (a console or a pipe to a slow collector can block). When the writer falls behind by
 * {@code capacity} lines, new lines are dropped and counted instead of stalling the streams. Lines are
 * written in batches: the first wakes the writer, which takes what came within 100 ms with it.
 */
final class LogWriter {

  /** How long the writer gathers lines after the first one woke it. */
  private static final long GATHER_MS = 100;

  private final BlockingQueue<String> pending;
  private final Consumer<String> sink;
  private final AtomicLong dropped = new AtomicLong();
  private final Thread writer;
  private volatile boolean closed;

  LogWriter(int capacity, Consumer<String> sink, String threadName) {
    this.pending = new ArrayBlockingQueue<>(capacity);
    this.sink = sink;
    this.writer = new Thread(this::run, threadName);
    writer.setDaemon(true);
    writer.start();
  }

  /** Queues {@code line}; never blocks. Once closed, the line is dropped: no thread would write it. */
  void write(String line) {
    if (closed || !pending.offer(line)) {
      dropped.incrementAndGet();
    }
  }

  /** Lines dropped so far because the writer was {@code capacity} lines behind. */
  long dropped() {
    return dropped.get();
  }

  /** Writes what is still queued on the calling thread (at shutdown, so queued lines are not lost). */
  void flush() {
    List<String> rest = new ArrayList<>();
    pending.drainTo(rest);
    rest.forEach(this::deliver);
  }

  /**
   * Stops the writer thread, waiting (a second at most) for it to write the lines it had taken, then
   * {@link #flush}es on the calling thread. Idempotent.
   */
  void close() {
    closed = true;
    writer.interrupt();
    try {
      writer.join(1_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    flush();
  }

  private void run() {
    List<String> batch = new ArrayList<>();
    boolean interrupted = false;
    while (!closed && !interrupted) {
      try {
        batch.add(pending.take());
        // The lines that come meanwhile go with this one: under load the writer wakes a few times a
        // second, not once a line (each wake-up is a context switch away from an event loop).
        Thread.sleep(GATHER_MS);
      } catch (InterruptedException e) {
        interrupted = true;
      }
      pending.drainTo(batch);
      batch.forEach(this::deliver);
      batch.clear();
    }
  }

  private void deliver(String line) {
    try {
      sink.accept(line);
    } catch (RuntimeException e) {
      // A failing log handler must not stop the writer; the line is lost like a dropped one.
      dropped.incrementAndGet();
    }
  }
}
