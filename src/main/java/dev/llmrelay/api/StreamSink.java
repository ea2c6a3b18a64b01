package dev.llmrelay.api;

import dev.llmrelay.bus.StreamChunk;
import dev.llmrelay.error.RelayError;
import io.vertx.core.Handler;

/**
 * Where a {@link BusStream} delivers its chunks: one per client-facing format (the EventSource
 * contract, the non-streaming JSON answer, ...). The bus stream guarantees exactly one terminal call,
 * {@link #end} or {@link #error}, and none after it.
 */
interface StreamSink {

  /** The upstream accepted the request; a sink that waited to choose its status can commit now. */
  void head(StreamChunk head);

  void delta(StreamChunk chunk);

  void end(StreamChunk end);

  void error(RelayError error);

  /** Whether the client is behind; while true the bus stream grants no credits. */
  boolean writeQueueFull();

  void drainHandler(Handler<Void> handler);

  /** Called about every {@code tickMs}: a chance to send a keep-alive comment to an idle client. */
  default void tick(long now) {
  }
}
