package dev.llmrelay.upstream;

import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;

/**
 * Cuts a streamed SSE body into lines (the bytes up to, not including, each LF) for an {@link SseDecoder}.
 * Each buffer that arrives is copied out once and its lines are handed on in place; only the
 * head of an unfinished line, or lines not yet asked for, are kept until the next buffer. (Vert.x's
 * {@code RecordParser} copied every buffer and then every line into buffers of their own, and read them
 * a byte at a time through the buffer API.)
 *
 * <p>Reads by demand, counted in lines, like {@code RecordParser}: with none left it pauses the source and
 * keeps what it has not handed on; {@link #fetch} reads on. At the end of the body a last line without
 * an LF is handed on too, then the end handler runs. A line longer than {@code maxLine} bytes fails the
 * read with an {@link IllegalStateException} to the exception handler, as do the source's own failures.
 */
public final class SseLines {

  /** Takes one line, {@code bytes[from, end)}; the bytes are valid during the call only. */
  @FunctionalInterface
  public interface LineHandler {
    void line(byte[] bytes, int from, int end);
  }

  private static final byte[] NOTHING = new byte[0];

  private final ReadStream<Buffer> source;
  private final LineHandler lines;
  private final int maxLine;
  private Handler<Throwable> exceptionHandler = t -> { };
  private Handler<Void> endHandler = v -> { };
  /** Unread bytes are {@code bytes[start, end)}; {@code bytes[start, scanned)} holds no LF. */
  private byte[] bytes = NOTHING;
  private int start;
  private int scanned;
  private int end;
  private long demand;
  private boolean sourceEnded;
  private boolean parsing;
  private boolean done;

  /**
   * Reads {@code source} into {@code lines} (an {@link SseDecoder}'s {@code record}, or a handler that
   * passes them on to one); paused until {@link #fetch} (or {@link #readAll}).
   */
  public SseLines(ReadStream<Buffer> source, LineHandler lines, int maxLine) {
    this.source = source;
    this.lines = lines;
    this.maxLine = maxLine;
    source.pause();
    source.handler(this::append);
    source.endHandler(v -> {
      sourceEnded = true;
      parse();
    });
    source.exceptionHandler(t -> fail(t));
  }

  public SseLines exceptionHandler(Handler<Throwable> handler) {
    this.exceptionHandler = handler;
    return this;
  }

  /** Runs once, after the last line of a body that ended, when all of it has been asked for. */
  public SseLines endHandler(Handler<Void> handler) {
    this.endHandler = handler;
    return this;
  }

  /** Asks for {@code lines} more lines. */
  public void fetch(long lines) {
    demand += lines;
    if (demand < 0) {
      demand = Long.MAX_VALUE;
    }
    parse();
  }

  /** Reads the rest of the body without counting. */
  public void readAll() {
    fetch(Long.MAX_VALUE);
  }

  /** Hands on no more lines until the next {@link #fetch}. */
  public void pause() {
    demand = 0;
  }

  private void append(Buffer buffer) {
    int length = buffer.length();
    if (length == 0 || done) {
      return;
    }
    if (start == end) {
      bytes = buffer.getBytes();
      start = 0;
      scanned = 0;
      end = length;
    } else {
      int unread = end - start;
      byte[] joined = new byte[unread + length];
      System.arraycopy(bytes, start, joined, 0, unread);
      buffer.getBytes(0, length, joined, unread);
      scanned -= start;
      start = 0;
      end = unread + length;
      bytes = joined;
    }
    parse();
  }

  private void parse() {
    if (parsing || done) {
      return;
    }
    parsing = true;
    try {
      while (demand > 0 && !done) {
        int lf = indexOfLf();
        if (lf < 0) {
          break;
        }
        int lineStart = start;
        start = lf + 1;
        scanned = start;
        if (demand != Long.MAX_VALUE) {
          demand--;
        }
        lines.line(bytes, lineStart, lf);
      }
      if (done) {
        return;
      }
      if (scanned == end && end - start > maxLine) {
        fail(new IllegalStateException("a line of the stream is longer than " + maxLine + " bytes"));
        return;
      }
      if (demand == 0) {
        source.pause();
      } else if (!sourceEnded) {
        source.resume();
      } else {
        finish();
      }
    } finally {
      parsing = false;
    }
  }

  /** The next LF in the unread bytes, or -1; remembers how far it looked. */
  private int indexOfLf() {
    for (int i = scanned; i < end; i++) {
      if (bytes[i] == '\n') {
        return i;
      }
    }
    scanned = end;
    return -1;
  }

  private void finish() {
    done = true;
    if (start < end) {
      lines.line(bytes, start, end);
    }
    bytes = NOTHING;
    start = scanned = end = 0;
    endHandler.handle(null);
  }

  private void fail(Throwable t) {
    if (!done) {
      done = true;
      bytes = NOTHING;
      start = scanned = end = 0;
      exceptionHandler.handle(t);
    }
  }
}
