package dev.llmrelay.edge;

import dev.llmrelay.testing.Await;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The access log's writer: never blocks the caller, keeps order, drops and counts past its backlog, flushes. */
class LogWriterTest {

  @Test
  void aBlockedSinkNeitherBlocksTheCallerNorLosesTheBacklogAndTheOverflowIsCounted() throws InterruptedException {
    CountDownLatch inSink = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    List<String> written = new CopyOnWriteArrayList<>();
    LogWriter writer = new LogWriter(2, line -> {
      inSink.countDown();
      try {
        release.await(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      written.add(line);
    }, "test-log-writer");
    try {
      writer.write("a");
      assertTrue(inSink.await(10, TimeUnit.SECONDS), "the writer took the first line");
      // The writer is stuck in the sink with "a"; two lines fit the backlog, the rest are dropped.
      long start = System.nanoTime();
      for (String line : List.of("b", "c", "d", "e")) {
        writer.write(line);
      }
      assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(5), "write() did not wait for the sink");
      assertEquals(2, writer.dropped());
      assertEquals(List.of(), written);
    } finally {
      release.countDown();
    }
    Await.until(() -> written.size() == 3, 10_000, "the backlog is written once the sink is free");
    assertEquals(List.of("a", "b", "c"), written);
    assertEquals(2, writer.dropped());
  }

  @Test
  void flushWritesWhatIsQueuedOnTheCallingThreadAndAFailingSinkDoesNotStopTheWriter() {
    List<String> written = new CopyOnWriteArrayList<>();
    LogWriter writer = new LogWriter(10, line -> {
      if (line.equals("bad")) {
        throw new IllegalStateException("handler failed");
      }
      written.add(line);
    }, "test-log-writer-2");
    writer.write("bad");
    writer.write("x");
    writer.write("y");
    writer.flush();
    // The writer thread may hold "bad" (and more) in its batch for a while: await both outcomes.
    Await.until(() -> written.size() == 2 && writer.dropped() == 1, 10_000, "both good lines are written");
    // Some may have been written by the writer thread, the rest by flush: every one once.
    assertEquals(List.of("x", "y"), written.stream().sorted().toList());
    assertEquals(1, writer.dropped());
  }

  @Test
  void closeWritesWhatIsQueuedAndDropsWhatComesAfter() {
    List<String> written = new CopyOnWriteArrayList<>();
    LogWriter writer = new LogWriter(10, written::add, "test-log-writer-3");
    writer.write("x");
    writer.close();
    writer.write("late");
    // "x" is written once, by the writer thread if it took it before the close, else by close itself.
    Await.until(() -> !written.isEmpty(), 10_000, "the queued line is written");
    assertEquals(List.of("x"), written);
    assertEquals(1, writer.dropped());
  }
}
