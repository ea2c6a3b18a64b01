package dev.llmrelay.upstream;

import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;

/**
 * A response body a test hands over piece by piece, as the HTTP client would: it starts paused, as the relay's
 * upstream client hands a response over, records whether its reader paused it, and refuses a piece while
 * paused (a paused client response delivers nothing).
 */
final class ChunkedBody implements ReadStream<Buffer> {

  private Handler<Buffer> handler;
  private Handler<Void> endHandler;
  private Handler<Throwable> exceptionHandler;
  private boolean paused = true;
  int pauses;
  int resumes;

  boolean paused() {
    return paused;
  }

  void send(String piece) {
    send(Buffer.buffer(piece));
  }

  void send(Buffer piece) {
    if (paused) {
      throw new IllegalStateException("a paused body delivers nothing");
    }
    handler.handle(piece);
  }

  void end() {
    if (paused) {
      throw new IllegalStateException("a paused body delivers nothing");
    }
    endHandler.handle(null);
  }

  void fail(Throwable failure) {
    exceptionHandler.handle(failure);
  }

  @Override
  public ReadStream<Buffer> exceptionHandler(Handler<Throwable> handler) {
    exceptionHandler = handler;
    return this;
  }

  @Override
  public ReadStream<Buffer> handler(Handler<Buffer> handler) {
    this.handler = handler;
    return this;
  }

  @Override
  public ReadStream<Buffer> pause() {
    paused = true;
    pauses++;
    return this;
  }

  @Override
  public ReadStream<Buffer> resume() {
    paused = false;
    resumes++;
    return this;
  }

  @Override
  public ReadStream<Buffer> fetch(long amount) {
    return resume();
  }

  @Override
  public ReadStream<Buffer> endHandler(Handler<Void> endHandler) {
    this.endHandler = endHandler;
    return this;
  }
}
