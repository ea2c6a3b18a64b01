package dev.llmrelay.upstream;

import dev.llmrelay.bus.Addresses;
import dev.llmrelay.bus.OpenRequest;
import dev.llmrelay.bus.StreamChunk;
import dev.llmrelay.bus.StreamControl;
import dev.llmrelay.config.RelayConfig;
import dev.llmrelay.error.ErrorMapper;
import dev.llmrelay.error.ErrorType;
import dev.llmrelay.error.RelayError;
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
import java.util.function.Consumer;

/**
 * The provider side of one stream: opens the upstream, decodes its SSE body, and sends one bus
 * message per useful chunk while it holds credits. The parser's record demand tracks the credits,
 * so a router that stops granting them stops the upstream read (TCP backpressure to the origin).
 * Timeouts are checked by {@link #tick}; every terminal path goes through {@link #finish}.
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
  private final Consumer<UpstreamStream> onFinished;
  private final String dataAddress;
  private final SseDecoder sse = new SseDecoder(this::onEvent);
  private final long startedAt = System.currentTimeMillis();
  private final DeliveryOptions pingOptions;
  private final boolean heartbeats;

  private MessageConsumer<StreamControl> control;
  private HttpClientRequest request;
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

  UpstreamStream(Vertx vertx, OpenRequest open, RelayConfig.Upstream upstream, RelayConfig.Streams streams,
                 UpstreamHealth health, Consumer<UpstreamStream> onFinished) {
    this.health = health;
    this.vertx = vertx;
    this.eventBus = vertx.eventBus();
    this.streamId = open.streamId();
    this.window = open.credits();
    this.raw = open.raw();
    this.body = open.body();
    this.upstream = upstream;
    this.streams = streams;
    this.onFinished = onFinished;
    this.dataAddress = Addresses.data(streamId);
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
    control = eventBus.consumer(Addresses.control(streamId), this::onControl);
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

  /** Checks the timeouts and sends the heartbeat; called by the verticle every {@code tickMs}. */
  void tick(long now) {
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
    if (heartbeats && now >= nextPingAt && !pingInFlight) {
      pingInFlight = true;
      nextPingAt = now + streams.heartbeatMs();
      eventBus.request(dataAddress, StreamChunk.ping(), pingOptions).onComplete(ar -> {
        pingInFlight = false;
        if (ar.failed() && !finished) {
          // The router (or its node) is gone: nobody will read this stream any more.
          cancel();
        }
      });
    }
  }

  private void onControl(Message<StreamControl> message) {
    StreamControl msg = message.body();
    if (msg.kind() == StreamControl.Kind.CANCEL) {
      cancel();
      return;
    }
    if (credits <= 0) {
      waitingSince = System.currentTimeMillis();
    }
    credits += msg.credits();
    rebalance();
  }

  private void onHead(HttpClientResponse head) {
    if (finished || cancelled) {
      head.request().reset();
      finish();
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
    cancelled = true;
    finish();
  }

  /** This provider is stopping: close the upstream and tell the router the stream cannot go on. */
  void shutDown() {
    if (!finished) {
      fail(RelayError.of(ErrorType.UPSTREAM_UNAVAILABLE, "The provider serving this stream shut down"), true);
    }
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
    send(StreamChunk.error(++seq, error));
    if (resetUpstream) {
      cancelled = true;
    }
    finish();
  }

  private void send(StreamChunk chunk) {
    eventBus.send(dataAddress, chunk);
    // A chunk tells the router this provider is alive as well as a ping would: ping only a quiet stream.
    // A router that is gone stops granting credits, so a stream sending to it soon goes quiet and pings.
    nextPingAt = System.currentTimeMillis() + streams.heartbeatMs();
  }

  /** Ends this stream once: closes the upstream if it was cancelled, unregisters, forgets. */
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
    if (control != null) {
      control.unregister();
    }
    onFinished.accept(this);
  }
}
