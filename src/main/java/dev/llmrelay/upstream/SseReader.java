package dev.llmrelay.upstream;

import io.netty.buffer.ByteBuf;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.buffer.BufferInternal;
import io.vertx.core.streams.ReadStream;

import java.util.Arrays;
import java.util.function.BooleanSupplier;

/**
 * Cuts an SSE body into records (the bytes up to an LF) as the HTTP client hands it over, and feeds them to
 * an {@link SseDecoder} one at a time while its reader's demand ({@code more}) lasts. A record is decoded
 * where it lies in the bytes received; only a record cut across two reads, or what is left when the demand
 * runs out, is kept, in one array. Once the demand is out the body is paused, so the upstream's TCP window
 * closes, until {@link #fetch}. A record longer than {@code maxRecord} bytes fails the read. At the end of the
 * body, the bytes after the last LF are still a record.
 *
 * <p>Demand can come back while a record is being decoded (the router on this event loop grants credits as
 * it writes): the loop that is reading then goes on by itself.
 */
public final class SseReader {

  private static final byte[] NOTHING = new byte[0];

  private final ReadStream<Buffer> body;
  private final SseDecoder decoder;
  private final BooleanSupplier more;
  private final int maxRecord;
  private final Handler<Throwable> onFailure;
  private final Runnable onEnd;
  /** Bytes received and not yet decoded: {@code kept[0, keptLength)}. */
  private byte[] kept = NOTHING;
  private int keptLength;
  private boolean reading;
  private boolean paused;
  private boolean bodyEnded;
  /** The end was told, the read failed, or the rest is discarded: nothing more is decoded. */
  private boolean done;

  /**
   * @param more      whether one more record may be decoded now
   * @param onFailure the body failed, or a record was too long (an {@link IllegalStateException})
   * @param onEnd     the body ended and every record of it was decoded
   */
  public SseReader(ReadStream<Buffer> body, SseDecoder decoder, int maxRecord, BooleanSupplier more,
            Handler<Throwable> onFailure, Runnable onEnd) {
    this.body = body;
    this.decoder = decoder;
    this.maxRecord = maxRecord;
    this.more = more;
    this.onFailure = onFailure;
    this.onEnd = onEnd;
  }

  /**
   * Takes over the body's handlers. The body may come paused (a client response is, until its reader is
   * ready): the first {@link #fetch} resumes it.
   */
  public SseReader start() {
    paused = true;
    body.exceptionHandler(this::fail);
    body.endHandler(v -> {
      bodyEnded = true;
      fetch();
    });
    body.handler(this::received);
    return this;
  }

  /** The demand came back: decode what is kept, then read on. */
  public void fetch() {
    if (reading || done) {
      return;
    }
    if (keptLength > 0) {
      decodeKept();
    }
    if (done || !more.getAsBoolean()) {
      return;
    }
    if (bodyEnded) {
      if (keptLength > 0) {
        // The bytes after the last LF are a record too.
        int length = keptLength;
        keptLength = 0;
        reading = true;
        try {
          decoder.record(kept, 0, length);
        } finally {
          reading = false;
        }
      }
      if (!done) {
        done = true;
        onEnd.run();
      }
    } else if (paused) {
      paused = false;
      body.resume();
    }
  }

  /** The answer is complete: the rest of the body is read and dropped, so the connection can be reused. */
  public void discardRest() {
    done = true;
    kept = NOTHING;
    keptLength = 0;
    if (paused) {
      paused = false;
      body.resume();
    }
  }

  private void received(Buffer chunk) {
    if (done) {
      return;
    }
    ByteBuf bytes = ((BufferInternal) chunk).getByteBuf();
    int length = bytes.readableBytes();
    if (keptLength == 0 && bytes.hasArray()) {
      byte[] array = bytes.array();
      int from = bytes.arrayOffset() + bytes.readerIndex();
      int stop = decode(array, from, from + length);
      keep(array, stop, from + length);
    } else {
      ensureRoom(length);
      bytes.getBytes(bytes.readerIndex(), kept, keptLength, length);
      keptLength += length;
      decodeKept();
    }
    if (done) {
      return;
    }
    if (keptLength > maxRecord) {
      fail(new IllegalStateException("a record exceeds " + maxRecord + " bytes"));
      return;
    }
    if (!paused && !more.getAsBoolean()) {
      paused = true;
      body.pause();
    }
  }

  /** Decodes records from {@code b[from, to)} while the demand lasts; returns where it stopped. */
  private int decode(byte[] b, int from, int to) {
    reading = true;
    try {
      int at = from;
      while (at < to && !done && more.getAsBoolean()) {
        int lf = indexOfLf(b, at, to);
        if (lf < 0) {
          break;
        }
        decoder.record(b, at, lf);
        at = lf + 1;
      }
      return at;
    } finally {
      reading = false;
    }
  }

  private void decodeKept() {
    int stop = decode(kept, 0, keptLength);
    if (done) {
      return;
    }
    System.arraycopy(kept, stop, kept, 0, keptLength - stop);
    keptLength -= stop;
  }

  /** Keeps {@code b[from, to)} after what is kept (nothing, when called). */
  private void keep(byte[] b, int from, int to) {
    if (done || from == to) {
      return;
    }
    ensureRoom(to - from);
    System.arraycopy(b, from, kept, keptLength, to - from);
    keptLength += to - from;
  }

  private void ensureRoom(int more) {
    if (kept.length - keptLength < more) {
      kept = Arrays.copyOf(kept, Math.max(keptLength + more, Math.max(256, kept.length * 2)));
    }
  }

  private void fail(Throwable failure) {
    if (done) {
      return;
    }
    done = true;
    onFailure.handle(failure);
  }

  private static int indexOfLf(byte[] b, int from, int to) {
    for (int i = from; i < to; i++) {
      if (b[i] == '\n') {
        return i;
      }
    }
    return -1;
  }
}
