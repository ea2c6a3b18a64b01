package dev.llmrelay.api;

import io.vertx.core.Handler;

/**
 * A streaming sink writing one {@link SseResponse}: the flow control and keep-alives every SSE format
 * shares. A subclass writes its own format's frames to {@link #sse}.
 */
abstract class SseSink implements StreamSink {

  protected final SseResponse sse;

  SseSink(SseResponse sse) {
    this.sse = sse;
  }

  @Override
  public boolean writeQueueFull() {
    return sse.writeQueueFull();
  }

  @Override
  public void drainHandler(Handler<Void> handler) {
    sse.drainHandler(handler);
  }

  @Override
  public void tick(long now) {
    sse.tick(now);
  }
}
