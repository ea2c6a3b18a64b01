package dev.llmrelay.api;

import dev.llmrelay.bus.StreamChunk;
import dev.llmrelay.edge.StreamObservation;
import dev.llmrelay.error.RelayError;
import io.vertx.core.Handler;

/**
 * Passes a stream's chunks to the sink that writes them, and tells the edge what went by (timings, tokens,
 * outcome, cost); the final usage the sink writes carries the cost in US dollars where it is known.
 */
final class ObservedSink implements StreamSink {

  private final StreamSink sink;
  private final StreamObservation observation;

  ObservedSink(StreamSink sink, StreamObservation observation) {
    this.sink = sink;
    this.observation = observation;
  }

  @Override
  public void head(StreamChunk head) {
    sink.head(head);
  }

  @Override
  public void delta(StreamChunk chunk) {
    observation.delta(chunk.model());
    sink.delta(chunk);
  }

  @Override
  public void end(StreamChunk end) {
    String usage = observation.end(end.model(), end.finishReason(), end.usage());
    // The usage with the cost the edge priced, where the upstream reported none.
    sink.end(usage == end.usage() ? end : StreamChunk.end(end.seq(), end.model(), end.finishReason(), usage));
  }

  @Override
  public void error(RelayError error) {
    observation.error(error);
    sink.error(error);
  }

  @Override
  public boolean writeQueueFull() {
    return sink.writeQueueFull();
  }

  @Override
  public void drainHandler(Handler<Void> handler) {
    sink.drainHandler(handler);
  }

  @Override
  public void tick(long now) {
    sink.tick(now);
  }
}
