package dev.llmrelay.upstream;

import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Lines cut from a body that arrives in pieces, handed on by demand, with the body's end and failures. */
class SseLinesTest {

  /** A body the test hands over piece by piece; it records whether the reader paused it. */
  static final class HandFed implements ReadStream<Buffer> {
    private Handler<Buffer> handler;
    private Handler<Void> endHandler;
    private Handler<Throwable> exceptionHandler;
    boolean paused;

    @Override
    public ReadStream<Buffer> handler(Handler<Buffer> handler) {
      this.handler = handler;
      return this;
    }

    @Override
    public ReadStream<Buffer> pause() {
      paused = true;
      return this;
    }

    @Override
    public ReadStream<Buffer> resume() {
      paused = false;
      return this;
    }

    @Override
    public ReadStream<Buffer> fetch(long amount) {
      paused = false;
      return this;
    }

    @Override
    public ReadStream<Buffer> endHandler(Handler<Void> endHandler) {
      this.endHandler = endHandler;
      return this;
    }

    @Override
    public ReadStream<Buffer> exceptionHandler(Handler<Throwable> handler) {
      this.exceptionHandler = handler;
      return this;
    }

    void send(String piece) {
      handler.handle(Buffer.buffer(piece));
    }

    void send(byte[] bytes, int from, int to) {
      handler.handle(Buffer.buffer().appendBytes(bytes, from, to - from));
    }

    void end() {
      endHandler.handle(null);
    }

    void fail(Throwable t) {
      exceptionHandler.handle(t);
    }
  }

  private final HandFed body = new HandFed();
  private final List<String> lines = new ArrayList<>();
  private final List<Throwable> failures = new ArrayList<>();
  private int ends;

  private SseLines reader(int maxLine) {
    return new SseLines(body, (bytes, from, end) -> lines.add(new String(bytes, from, end - from,
      StandardCharsets.UTF_8)), maxLine)
      .exceptionHandler(failures::add)
      .endHandler(v -> ends++);
  }

  @Test
  void handsOnAsManyLinesAsAskedForAndPausesTheBodyWhileNoneAreWanted() {
    SseLines reader = reader(100);
    assertTrue(body.paused, "no demand before the first fetch");
    body.send("one\ntwo\nthr");
    assertEquals(List.of(), lines);

    reader.fetch(1);
    assertEquals(List.of("one"), lines);
    assertTrue(body.paused);

    reader.fetch(2);
    assertEquals(List.of("one", "two"), lines, "the third line is not complete yet");
    assertFalse(body.paused, "a line is still wanted: read on");

    body.send("ee\nfour\n\nfive\n");
    assertEquals(List.of("one", "two", "three"), lines);
    assertTrue(body.paused);

    reader.readAll();
    assertEquals(List.of("one", "two", "three", "four", "", "five"), lines);
    assertFalse(body.paused);
    assertEquals(0, ends);
    body.end();
    assertEquals(1, ends);
    assertEquals(List.of(), failures);
  }

  @Test
  void aLastLineWithoutLfIsHandedOnAtTheEndOnlyOnceItIsWanted() {
    SseLines reader = reader(100);
    body.send("data: a\n\ndata: tail");
    body.end();
    assertEquals(List.of(), lines);
    assertEquals(0, ends, "lines still unread: the end waits for them");

    reader.fetch(2);
    assertEquals(List.of("data: a", ""), lines);
    assertEquals(0, ends);

    reader.fetch(1);
    assertEquals(List.of("data: a", "", "data: tail"), lines);
    assertEquals(1, ends);
    reader.fetch(5);
    assertEquals(1, ends, "the end is told once");
  }

  @Test
  void aLineLongerThanTheLimitFailsTheReadEvenWhenItArrivesInPieces() {
    SseLines reader = reader(10);
    reader.readAll();
    body.send("0123456789\n");
    assertEquals(List.of("0123456789"), lines, "a line of exactly the limit passes");
    body.send("01234");
    body.send("56789");
    assertEquals(List.of(), failures);
    body.send("A");
    assertEquals(1, failures.size());
    assertInstanceOf(IllegalStateException.class, failures.get(0));
    body.send("\nmore\n");
    body.end();
    assertEquals(List.of("0123456789"), lines, "nothing after a failure");
    assertEquals(0, ends);
  }

  @Test
  void theBodysOwnFailureGoesToTheExceptionHandlerOnce() {
    SseLines reader = reader(100);
    reader.readAll();
    body.send("a\nb");
    IllegalArgumentException reset = new IllegalArgumentException("stream reset");
    body.fail(reset);
    body.fail(new IllegalArgumentException("again"));
    assertEquals(List.of("a"), lines);
    assertEquals(List.of(reset), failures);
  }

  @Test
  void linesHandedOnFromInsideAHandlerThatAsksForMoreStayInOrder() {
    List<String> seen = new ArrayList<>();
    SseLines[] reader = new SseLines[1];
    reader[0] = new SseLines(body, (bytes, from, end) -> {
      seen.add(new String(bytes, from, end - from, StandardCharsets.UTF_8));
      reader[0].fetch(1);
    }, 100);
    body.send("1\n2\n3\n");
    reader[0].fetch(1);
    assertEquals(List.of("1", "2", "3"), seen);
    assertFalse(body.paused, "one more line is wanted");
  }
}
