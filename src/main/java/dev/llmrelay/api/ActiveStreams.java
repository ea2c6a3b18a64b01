package dev.llmrelay.api;

import dev.llmrelay.bus.OpenRequest;
import dev.llmrelay.config.StreamConfig;
import dev.llmrelay.edge.Edge;
import dev.llmrelay.edge.StreamObservation;
import dev.llmrelay.error.ErrorMapper;
import dev.llmrelay.error.ErrorType;
import dev.llmrelay.error.RelayError;
import dev.llmrelay.upstream.UpstreamHealth;
import io.vertx.core.Vertx;
import io.vertx.ext.web.RoutingContext;

import java.util.HashSet;
import java.util.Set;

/**
 * One router's open {@link BusStream}s: opens them (each tied to its request's connection and observed by the
 * edge), ticks them (keep-alives, watchdog), and cancels or ends them when the router stops. The tick runs
 * only while a stream is open, so an idle router costs nothing. Used on the router verticle's event loop only.
 */
final class ActiveStreams {

  private final Vertx vertx;
  private final StreamConfig config;
  private final UpstreamHealth health;
  private final Edge edge;
  private final Set<BusStream> active = new HashSet<>();
  private long ticker = -1;

  ActiveStreams(Vertx vertx, StreamConfig config, UpstreamHealth health, Edge edge) {
    this.vertx = vertx;
    this.config = config;
    this.health = health;
    this.edge = edge;
  }

  /**
   * Opens a bus stream for this request; the client closing its connection cancels it (a resumable one,
   * with {@code resume} terms, goes on for its grace period instead).
   */
  void open(RoutingContext ctx, String body, String model, boolean raw, OpenRequest.Resume resume, StreamSink sink) {
    StreamObservation observation = edge.observe(ctx, model);
    StreamSink observed = new ObservedSink(sink, observation);
    if (health.draining()) {
      observed.error(RelayError.of(ErrorType.OVERLOADED, "This relay node is shutting down and takes no new streams; "
        + "send the request again").withRetryAfter(ErrorMapper.OVERLOAD_RETRY_MS));
      return;
    }
    health.clientStreamOpened();
    track(ctx, BusStream.open(vertx, config, body, model, raw, resume, observation.trace(), observed, this::forget));
  }

  /** Continues a resumable stream for a client that came back (see {@link ResumableStreams}). */
  void resume(RoutingContext ctx, String id, long lastSeq, EventSourceSink sink, BusResume.Refusal refused) {
    StreamSink observed = new ObservedSink(sink, edge.observe(ctx, null));
    health.clientStreamOpened();
    track(ctx, BusResume.resume(vertx, config, id, lastSeq, edge.clientId(ctx), observed, refused, this::forget));
  }

  private void track(RoutingContext ctx, BusStream stream) {
    if (!stream.isEnded() && active.add(stream) && active.size() == 1) {
      // The first open stream starts the tick (on this router's event loop); the last one to end stops it.
      ticker = vertx.setPeriodic(config.tickMs(), id -> tick());
    }
    // Through the routing context, not response.closeHandler: that one holds a single handler, and
    // the edge's end handlers (stream slot, access log) need the close too. Fails only on a close.
    ctx.addEndHandler(ar -> {
      if (ar.failed()) {
        stream.cancel();
      }
    });
  }

  /** {@link #open} in raw mode: the upstream's chunks reach the sink as they came (an {@link OpenAiApi.StreamOpener}). */
  void openRaw(RoutingContext ctx, String body, String model, StreamSink sink) {
    open(ctx, body, model, true, null, sink);
  }

  /** The router stops: cancels every open stream. */
  void cancelAll() {
    stopTicking();
    for (BusStream stream : Set.copyOf(active)) {
      stream.cancel();
    }
  }

  /** Shutdown, last step: every open stream ends with a typed, retryable error event. */
  void shutDown() {
    for (BusStream stream : Set.copyOf(active)) {
      stream.shutDown();
    }
  }

  private void forget(BusStream stream) {
    if (active.remove(stream) && active.isEmpty()) {
      stopTicking();
    }
    health.clientStreamClosed();
  }

  private void stopTicking() {
    if (ticker >= 0) {
      vertx.cancelTimer(ticker);
      ticker = -1;
    }
  }

  private void tick() {
    long now = System.currentTimeMillis();
    for (BusStream stream : active.toArray(new BusStream[0])) {
      stream.tick(now);
    }
  }
}
