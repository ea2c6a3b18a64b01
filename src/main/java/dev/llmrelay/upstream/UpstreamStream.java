package dev.llmrelay.upstream;

import dev.llmrelay.bus.Addresses;
import dev.llmrelay.bus.OpenRequest;
import dev.llmrelay.bus.StreamChunk;
import dev.llmrelay.bus.StreamControl;
import dev.llmrelay.config.RelayConfig;
import dev.llmrelay.error.ErrorMapper;
import dev.llmrelay.error.ErrorType;
import dev.llmrelay.error.RelayError;
import dev.llmrelay.trace.Tracing;
import io.opentelemetry.api.trace.Span;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.parsetools.RecordParser;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Consumer;

/**
 * The provider side of one stream: opens the upstream, decodes its SSE body, and sends one bus
 * message per useful chunk while it holds credits. The parser's record demand tracks the credits,
 * so a router that stops granting them stops the upstream read (TCP backpressure to the origin).
 * Timeouts are checked by {@link #tick}; every terminal path goes through {@link #finish}.
 *
 * <p>A resumable stream ({@link OpenRequest#resume()}) also keeps its events in a {@link ReplayLog}.
 * When its client leaves it goes on reading the upstream for the grace period; a client that comes
 * back (through any router, on any node) gets the events after the last one it had, then the live
 * tail. Its control address is its public id, so every edge node can reach it.
 */
final class UpstreamStream implements UpstreamClient.Attempts {

  private static final int MAX_RECORD_BYTES = 1 << 20;

  private final Vertx vertx;
  private final EventBus eventBus;
  private final String streamId;
  private final long window;
  private final boolean raw;
  /** The request for the upstream, until it is handed to the client: a long conversation is not kept for the stream's life. */
  private String body;
  private final RelayConfig.Upstream upstream;
  private final RelayConfig.Streams streams;
  private final UpstreamHealth health;
  private final Consumer<UpstreamStream> onUpstreamDone;
  private final Consumer<UpstreamStream> onGone;
  private final OpenRequest.Resume resume;
  private final ReplayLog replay;
  private final String traceparent;
  private String dataAddress;
  /** The stream id of the router connection served now: its data address is {@link #dataAddress}. */
  private String target;
  private final SseDecoder sse = new SseDecoder(this::onEvent);
  private final long startedAt = System.currentTimeMillis();
  private final DeliveryOptions pingOptions;
  private final boolean heartbeats;

  private MessageConsumer<StreamControl> control;
  private HttpClientRequest request;
  /** The span of the upstream request that answered 2xx (invalid when not traced), ended by {@link #finish}. */
  private Span requestSpan;
  /** Why the upstream side ended, for its span: the error type, or null when it completed. */
  private String endError;
  private long backoffTimer = -1;
  private HttpClientResponse response;
  private RecordParser parser;
  private long credits;
  private long demand;
  private int sentByRecord;
  private long seq;
  private String model;
  private String finishReason;
  private String usage;
  private boolean firstToken;
  private long headAt;
  private long waitingSince;
  private long nextPingAt;
  private boolean pingInFlight;
  private boolean cancelled;
  private boolean finished;
  /** A resumable stream whose client is gone: events go to the replay log only, until a resume or the grace end. */
  private boolean detached;
  private long graceDeadline;
  /** Everything is let go: nothing more is sent, kept or ticked. */
  private boolean released;

  /**
   * @param onUpstreamDone told once, when the upstream is done with (its admission place is free)
   * @param onGone         told once, when nothing of the stream is kept any more
   */
  UpstreamStream(Vertx vertx, OpenRequest open, RelayConfig.Upstream upstream, RelayConfig.Streams streams,
                 UpstreamHealth health, Consumer<UpstreamStream> onUpstreamDone, Consumer<UpstreamStream> onGone) {
    this.health = health;
    this.vertx = vertx;
    this.eventBus = vertx.eventBus();
    this.streamId = open.streamId();
    this.window = open.credits();
    this.raw = open.raw();
    this.body = open.body();
    this.upstream = upstream;
    this.streams = streams;
    this.onUpstreamDone = onUpstreamDone;
    this.onGone = onGone;
    this.resume = open.resume();
    this.traceparent = open.traceparent();
    this.replay = resume == null ? null : new ReplayLog(resume.bufferBytes());
    this.dataAddress = Addresses.data(streamId);
    this.target = streamId;
    this.credits = open.credits();
    this.model = open.model();
    this.nextPingAt = startedAt + streams.heartbeatMs();
    this.pingOptions = new DeliveryOptions().setSendTimeout(streams.watchdogMs());
    // Only across processes can a router vanish without a word: in one process a router that stops
    // cancels its streams itself, and pings would only cost work on every quiet stream.
    this.heartbeats = vertx.isClustered() && streams.heartbeatMs() > 0;
  }

  /** Registers the control address; once it completes, a cancel can reach this stream. */
  Future<Void> listen() {
    control = eventBus.consumer(Addresses.control(resume == null ? streamId : resume.id()), this::onControl);
    return control.completion();
  }

  /** Opens the upstream and starts streaming from its head. */
  void run(UpstreamClient client) {
    String request = body;
    body = null;
    client.open(request, model, this).onComplete(ar -> {
      if (ar.succeeded()) {
        onHead(ar.result());
      } else if (!finished) {
        fail(ErrorMapper.fromThrowable(ar.cause()), false);
      }
    });
  }

  @Override
  public boolean cancelled() {
    return cancelled;
  }

  @Override
  public void current(HttpClientRequest current) {
    this.request = current;
  }

  @Override
  public void backoff(long timerId) {
    this.backoffTimer = timerId;
  }

  @Override
  public String traceparent() {
    return traceparent;
  }

  @Override
  public void upstreamSpan(Span span) {
    this.requestSpan = span;
  }

  /** Checks the timeouts and sends the heartbeat; called by the verticle every {@code tickMs}. */
  void tick(long now) {
    if (released) {
      return;
    }
    if ((detached || finished) && resume != null && now >= graceDeadline) {
      // Nobody came back in time (or confirmed the end): stop generating and forget what was kept.
      if (!finished) {
        health.resumableExpired();
        cancel();
      }
      release();
      return;
    }
    if (finished) {
      return;
    }
    if (upstream.totalTimeoutMs() > 0 && now - startedAt > upstream.totalTimeoutMs()) {
      fail(RelayError.of(ErrorType.TIMEOUT, "The stream exceeded the total time limit of "
        + upstream.totalTimeoutMs() + " ms"), true);
      return;
    }
    if (response != null && !firstToken && now - headAt > upstream.firstTokenTimeoutMs()) {
      fail(RelayError.of(ErrorType.TIMEOUT, "No first token from the upstream within "
        + upstream.firstTokenTimeoutMs() + " ms"), true);
      return;
    }
    if (firstToken && credits > 0 && now - waitingSince > upstream.idleTimeoutMs()) {
      fail(RelayError.of(ErrorType.TIMEOUT, "The upstream sent nothing for " + upstream.idleTimeoutMs()
        + " ms in the middle of the answer"), true);
      return;
    }
    if (heartbeats && !detached && now >= nextPingAt && !pingInFlight) {
      pingInFlight = true;
      nextPingAt = now + streams.heartbeatMs();
      eventBus.request(dataAddress, StreamChunk.ping(), pingOptions).onComplete(ar -> {
        pingInFlight = false;
        if (ar.failed() && !finished) {
          // The router (or its node) is gone: nobody will read this stream any more, unless it is resumable.
          if (resume != null) {
            detach();
          } else {
            cancel();
          }
        }
      });
    }
  }

  private void onControl(Message<StreamControl> message) {
    StreamControl msg = message.body();
    if ((msg.kind() == StreamControl.Kind.CREDIT || msg.kind() == StreamControl.Kind.DETACH
      || msg.kind() == StreamControl.Kind.DELIVERED) && msg.target() != null && !msg.target().equals(target)) {
      // From a connection this stream was resumed away from: it speaks for nobody any more.
      return;
    }
    switch (msg.kind()) {
      case CANCEL -> cancel();
      case DETACH -> detach();
      case RESUME -> resume(message);
      case DELETE -> delete(message);
      case DELIVERED -> release();
      case CREDIT -> {
        if (!detached) {
          credit(msg.credits());
        }
      }
      default -> throw new IllegalStateException("unexpected control " + msg.kind());
    }
  }

  private void credit(int granted) {
    if (credits <= 0) {
      waitingSince = System.currentTimeMillis();
    }
    credits += granted;
    rebalance();
  }

  /** The client of this resumable stream left: read on into the replay log for the grace period. */
  private void detach() {
    if (released || resume == null || detached) {
      return;
    }
    if (resume.graceMs() <= 0) {
      cancel();
      release();
      return;
    }
    detached = true;
    graceDeadline = System.currentTimeMillis() + resume.graceMs();
    // No reader to wait for: the log's bound, not credits, limits what is kept.
    credits = Long.MAX_VALUE / 4;
    rebalance();
  }

  /** A client came back: check it may, then send it the events after the ones it has, then the live tail. */
  private void resume(Message<StreamControl> message) {
    StreamControl ask = message.body();
    if (released) {
      message.fail(404, "no such stream");
      return;
    }
    if (!resume.owner().equals(ask.owner())) {
      message.fail(403, "this stream belongs to another client");
      return;
    }
    // Seq 1 is the stream's first event, sent by the router before any token: a resume from it is always fine.
    if (ask.lastSeq() > Math.max(seq, 1)) {
      message.fail(416, "event " + ask.lastSeq() + " was never sent on this stream");
      return;
    }
    if (!replay.covers(ask.lastSeq())) {
      message.fail(410, "the events after " + ask.lastSeq() + " are no longer kept (the replay bound is "
        + resume.bufferBytes() + " bytes)");
      return;
    }
    if (finished && ask.lastSeq() >= replay.lastSeq()) {
      message.reply("complete");
      return;
    }
    if (!detached) {
      // The old connection is still here as far as this stream knows: it is the one being replaced.
      eventBus.send(dataAddress, StreamChunk.error(seq, RelayError.of(ErrorType.CANCELLED,
        "The stream was resumed on another connection")));
    }
    health.resumed();
    dataAddress = Addresses.data(ask.target());
    target = ask.target();
    detached = false;
    message.reply("resumed");
    List<StreamChunk> missed = replay.after(ask.lastSeq());
    health.replayed(missed.size());
    int deltas = 0;
    for (StreamChunk chunk : missed) {
      eventBus.send(dataAddress, chunk);
      deltas += chunk.kind() == StreamChunk.Kind.DELTA ? 1 : 0;
    }
    if (finished) {
      release();
      return;
    }
    // The replayed events are in flight too: the new window starts with them counted.
    credits = ask.credits() - deltas;
    waitingSince = System.currentTimeMillis();
    nextPingAt = waitingSince + streams.heartbeatMs();
    rebalance();
  }

  /** The client ends its resumable stream on purpose: close the upstream, tell a connected reader why. */
  private void delete(Message<StreamControl> message) {
    if (released || !resume.owner().equals(message.body().owner())) {
      message.fail(released ? 404 : 403, released ? "no such stream" : "this stream belongs to another client");
      return;
    }
    message.reply("deleted");
    if (!finished) {
      fail(RelayError.of(ErrorType.CANCELLED, "The stream was cancelled by its client"), true);
    }
    release();
  }

  private void onHead(HttpClientResponse head) {
    if (finished || cancelled) {
      head.request().reset();
      finish();
      endRequestSpan(ErrorType.CANCELLED.wireName());
      return;
    }
    response = head;
    headAt = System.currentTimeMillis();
    send(StreamChunk.head(++seq, model));
    parser = RecordParser.newDelimited("\n", head).maxRecordSize(MAX_RECORD_BYTES);
    parser.pause();
    parser.exceptionHandler(t -> {
      if (!finished) {
        fail(t instanceof IllegalStateException
          ? RelayError.of(ErrorType.UPSTREAM_PROTOCOL, "Malformed upstream stream: a line exceeds " + MAX_RECORD_BYTES + " bytes")
          : ErrorMapper.fromThrowable(t), true);
      }
    });
    parser.endHandler(v -> onUpstreamEnd());
    parser.handler(this::onRecord);
    rebalance();
  }

  private void onRecord(Buffer record) {
    demand--;
    if (finished) {
      return;
    }
    sentByRecord = 0;
    sse.record(record);
    credits -= sentByRecord;
    if (sentByRecord > 0) {
      health.inFlight(window - credits);
    }
    if (!finished) {
      rebalance();
    }
  }

  private void onEvent(String type, byte[] data) {
    if (finished) {
      return;
    }
    Chunk chunk = ChunkDecoder.decode(data);
    if (chunk.done()) {
      complete();
      return;
    }
    if (chunk.error() != null) {
      fail(chunk.error(), true);
      return;
    }
    if (chunk.model() != null) {
      model = chunk.model();
    }
    if (chunk.usage() != null) {
      usage = chunk.usage();
    }
    if (chunk.finishReason() != null) {
      finishReason = chunk.finishReason();
    }
    boolean hasText = chunk.content() != null && !chunk.content().isEmpty();
    if (hasText || raw) {
      String rawChunk = raw ? new String(data, StandardCharsets.UTF_8) : null;
      send(StreamChunk.delta(++seq, chunk.content(), model, rawChunk));
      sentByRecord++;
    }
    if (hasText || chunk.otherDelta()) {
      // Tool-call fragments and reasoning are progress too: an answer made only of them must not hit
      // the first-token or idle timeout.
      firstToken = true;
      waitingSince = System.currentTimeMillis();
    }
  }

  private void onUpstreamEnd() {
    if (finished) {
      return;
    }
    if (finishReason != null && !sse.hasPartialEvent()) {
      // Some OpenAI-compatible upstreams close after the finish reason without [DONE].
      complete();
    } else {
      fail(RelayError.of(ErrorType.UPSTREAM_PROTOCOL,
        "The upstream stream ended before the answer was complete (no finish reason, no [DONE])"), false);
    }
  }

  /** Keeps the parser's record demand equal to the credits the router granted. */
  private void rebalance() {
    if (parser == null || finished) {
      return;
    }
    if (credits <= 0) {
      if (demand > 0) {
        parser.pause();
        demand = 0;
      }
    } else if (demand != credits) {
      if (demand > credits) {
        parser.pause();
        demand = 0;
      }
      long more = credits - demand;
      demand = credits;
      parser.fetch(more);
    }
  }

  void cancel() {
    if (finished) {
      return;
    }
    endError = ErrorType.CANCELLED.wireName();
    cancelled = true;
    finish();
  }

  /** Lets go of everything: the control address, the replay log, the provider's reference. */
  private void release() {
    if (released) {
      return;
    }
    released = true;
    finish();
    if (control != null) {
      control.unregister();
    }
    onGone.accept(this);
  }

  /** This provider is stopping: close the upstream and tell the router the stream cannot go on. */
  void shutDown() {
    if (!finished) {
      fail(RelayError.of(ErrorType.UPSTREAM_UNAVAILABLE, "The provider serving this stream shut down"), true);
    }
    release();
  }

  private void complete() {
    send(StreamChunk.end(++seq, model, finishReason, usage));
    finish();
    if (parser != null) {
      // Read the rest (normally just the end of the body) so the connection returns to the pool.
      parser.fetch(Long.MAX_VALUE);
    }
  }

  private void fail(RelayError error, boolean resetUpstream) {
    endError = error.type().wireName();
    send(StreamChunk.error(++seq, error));
    if (resetUpstream) {
      cancelled = true;
    }
    finish();
  }

  private void send(StreamChunk chunk) {
    if (replay != null && chunk.kind() != StreamChunk.Kind.HEAD) {
      replay.add(chunk);
    }
    if (detached) {
      return;
    }
    eventBus.send(dataAddress, chunk);
    // A chunk tells the router this provider is alive as well as a ping would: ping only a quiet stream.
    // A router that is gone stops granting credits, so a stream sending to it soon goes quiet and pings.
    nextPingAt = System.currentTimeMillis() + streams.heartbeatMs();
  }

  private void endRequestSpan(String errorType) {
    if (requestSpan != null) {
      Tracing.end(requestSpan, errorType);
      requestSpan = null;
    }
  }

  /**
   * Ends the upstream side once: closes the upstream if it was cancelled and frees its admission place.
   * A resumable stream whose client is away stays reachable (its control address and log) until a resume
   * or the grace end; any other is let go at once.
   */
  private void finish() {
    if (finished) {
      return;
    }
    finished = true;
    if (backoffTimer >= 0) {
      vertx.cancelTimer(backoffTimer);
    }
    if (cancelled) {
      if (response != null) {
        response.request().reset();
      } else if (request != null) {
        request.reset();
      }
    }
    endRequestSpan(endError);
    onUpstreamDone.accept(this);
    if (resume == null) {
      release();
    } else if (!detached) {
      // The last events went to a router whose client may have just left: keep them until it confirms
      // the end reached its client, or for the grace period.
      graceDeadline = System.currentTimeMillis() + resume.graceMs();
    }
  }
}
