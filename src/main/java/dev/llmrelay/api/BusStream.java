package dev.llmrelay.api;

import dev.llmrelay.bus.Addresses;
import dev.llmrelay.bus.OpenRequest;
import dev.llmrelay.bus.StreamChunk;
import dev.llmrelay.bus.StreamConsumers;
import dev.llmrelay.bus.StreamControl;
import dev.llmrelay.config.StreamConfig;
import dev.llmrelay.error.ErrorMapper;
import dev.llmrelay.error.ErrorType;
import dev.llmrelay.error.RelayError;
import dev.llmrelay.trace.StreamSpan;
import dev.llmrelay.trace.Tracing;
import io.opentelemetry.api.trace.Span;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;

import java.util.function.Consumer;

/**
 * The router side of one stream: listens on the stream's data address, asks a provider to open it,
 * hands chunks to a {@link StreamSink}, and grants credits back only while the client keeps up.
 * A client that leaves cancels it; a provider that goes silent past the watchdog ends it with
 * {@code upstream_unavailable}. An open request that no provider took (none answered in time, or the
 * chosen one had just gone) is sent again under a fresh stream id, so it reaches another provider
 * node and a late answer to the old one cannot mix into the stream. Ends exactly once.
 */
final class BusStream {

  /** Provider choices per stream: the first, and two more if the chosen provider was gone. */
  private static final int OPEN_ATTEMPTS = 3;
  /** How long a router waits for a provider of its own process to take a stream. */
  private static final long LOCAL_OPEN_TIMEOUT_MS = 30_000;

  private final EventBus eventBus;
  /** Whether other processes' providers may take a stream this process's providers refused. */
  private final boolean clustered;
  private final StreamConfig config;
  private final StreamSink sink;
  private final Consumer<BusStream> onFinished;
  /** The stream's span on this router; each open request to a provider is a {@code relay.bus.open} under it. */
  private StreamSpan trace = StreamSpan.OFF;
  private final int grantBatch;
  private String id;
  /** Where control messages go: the data id for a plain stream, the public id for a resumable one. */
  private String controlId;
  /** A resumable stream's terms, or null: leaving then detaches instead of cancelling. */
  private OpenRequest.Resume resume;
  private int attempts;
  private MessageConsumer<StreamChunk> consumer;
  private long lastHeard = System.currentTimeMillis();
  private int ungranted;
  private boolean awaitingDrain;
  private boolean accepted;
  /** This router asked a provider to continue a stream another connection began. */
  private boolean resuming;
  private boolean cancelPending;
  private boolean ended;

  private BusStream(Vertx vertx, StreamConfig config, StreamSink sink, Consumer<BusStream> onFinished) {
    this.eventBus = vertx.eventBus();
    this.clustered = vertx.isClustered();
    this.config = config;
    this.sink = sink;
    this.onFinished = onFinished;
    this.grantBatch = Math.max(1, config.creditWindow() / 2);
  }

  /**
   * Starts a stream of {@code upstreamBody} into {@code sink}. {@code onFinished} is told once, when
   * the stream has ended for any reason.
   */
  static BusStream open(Vertx vertx, StreamConfig config, String upstreamBody, String model, boolean raw,
                        OpenRequest.Resume resume, StreamSpan trace, StreamSink sink, Consumer<BusStream> onFinished) {
    BusStream stream = new BusStream(vertx, config, sink, onFinished);
    stream.resume = resume;
    stream.trace = trace;
    stream.start(upstreamBody, model, raw, false);
    return stream;
  }

  /**
   * A stream that continues resumable stream {@code resume} (see {@link BusResume}); it listens once
   * {@link #listen} is called.
   */
  static BusStream resuming(Vertx vertx, StreamConfig config, OpenRequest.Resume resume, StreamSink sink,
                            Consumer<BusStream> onFinished) {
    BusStream stream = new BusStream(vertx, config, sink, onFinished);
    stream.resume = resume;
    stream.resuming = true;
    return stream;
  }

  /** Listens on a fresh data address, this stream's id from now on; returns that id. */
  String listen() {
    String attemptId = Addresses.newStreamId();
    id = attemptId;
    controlId = resume == null ? attemptId : resume.id();
    consumer = StreamConsumers.consumer(eventBus, Addresses.data(attemptId), message -> onMessage(attemptId, message));
    return attemptId;
  }

  /** Completes once the data address can be sent to (in a cluster: once the subscription propagated). */
  Future<Void> listening() {
    return consumer.completion();
  }

  /** The provider took the resumed stream back: the client's connection can open. */
  void resumed() {
    if (!accepted) {
      accepted = true;
      lastHeard = System.currentTimeMillis();
      sink.head(null);
      if (cancelPending) {
        sendControl(StreamControl.detach(id));
      }
    }
  }

  /** @param anyProvider skip the provider on this event loop: it already refused this stream */
  private void start(String upstreamBody, String model, boolean raw, boolean anyProvider) {
    String attemptId = listen();
    attempts++;
    Span hop = trace.busOpen(attemptId, attempts);
    OpenRequest open = new OpenRequest(attemptId, config.creditWindow(), raw, upstreamBody, model, resume,
      Tracing.traceparent(hop));
    // In a cluster the subscription must have propagated before a provider sends to it.
    consumer.completion()
      .compose(v -> ended
        ? Future.failedFuture(RelayError.of(ErrorType.CANCELLED, "cancelled before opening").exception())
        : requestOpen(open, anyProvider))
      .onComplete(ar -> {
        if (hop.isRecording()) {
          Tracing.end(hop, openError(ar));
        }
        if (ar.failed()) {
          // A resumable stream is not offered twice after a timeout: a late provider would listen on its id too.
          if (!ended && attempts < OPEN_ATTEMPTS && notTaken(ar.cause())
            && (resume == null || ((ReplyException) ar.cause()).failureType() == ReplyFailure.NO_HANDLERS)) {
            consumer.unregister();
            start(upstreamBody, model, raw, anyProvider);
          } else {
            fail(ErrorMapper.fromThrowable(ar.cause()));
          }
          return;
        }
        if (ar.result().body() instanceof StreamChunk refusal && refusal.kind() == StreamChunk.Kind.ERROR) {
          // The provider refused before opening anything (its admission limit, or it is draining). In a
          // cluster another provider node may have room: ask any provider once more before giving up.
          if (!ended && attempts < OPEN_ATTEMPTS && clustered) {
            consumer.unregister();
            start(upstreamBody, model, raw, true);
          } else {
            fail(refusal.error());
          }
          return;
        }
        accepted = true;
        lastHeard = System.currentTimeMillis();
        if (cancelPending) {
          sendControl(leave());
        }
      });
  }

  /** How an open request ended, for its span: the error type of a failure or refusal, else null. */
  private static String openError(AsyncResult<Message<Object>> answer) {
    if (answer.failed()) {
      return ErrorMapper.fromThrowable(answer.cause()).type().wireName();
    }
    return answer.result().body() instanceof StreamChunk refusal && refusal.kind() == StreamChunk.Kind.ERROR
      ? refusal.error().type().wireName() : null;
  }

  /**
   * Whether an open request went to no live provider: the node it went to had no handler any more
   * (it was leaving), or nobody answered within the watchdog (its node died; the event bus reports a
   * failed write to a dead node only as this timeout). A provider that was merely slow and answers
   * later finds the old data address gone, fails its heartbeat and closes its upstream.
   */
  private static boolean notTaken(Throwable failure) {
    return failure instanceof ReplyException re
      && (re.failureType() == ReplyFailure.NO_HANDLERS || re.failureType() == ReplyFailure.TIMEOUT);
  }

  /**
   * Asks the provider on this event loop, if there is one (see {@link Addresses#localOpen}), else any
   * provider. Only "no such provider" falls back; a provider's own failure is the answer.
   */
  private Future<Message<Object>> requestOpen(OpenRequest open, boolean anyProvider) {
    // A provider in this process always answers, if late under load: give it longer than a remote one.
    long timeout = clustered ? config.watchdogMs() : Math.max(config.watchdogMs(), LOCAL_OPEN_TIMEOUT_MS);
    if (anyProvider) {
      return eventBus.request(Addresses.OPEN, open, new DeliveryOptions().setSendTimeout(timeout));
    }
    String local = Addresses.localOpen(Thread.currentThread().getName());
    return eventBus.request(local, open, new DeliveryOptions().setSendTimeout(timeout).setLocalOnly(true))
      .recover(err -> err instanceof ReplyException reply && reply.failureType() == ReplyFailure.NO_HANDLERS
        ? eventBus.request(Addresses.OPEN, open, new DeliveryOptions().setSendTimeout(timeout))
        : Future.failedFuture(err));
  }

  boolean isEnded() {
    return ended;
  }

  /** The client went away: stop the upstream. */
  void cancel() {
    if (ended) {
      return;
    }
    cancelUpstream();
    finish();
  }

  /** Tells the provider the client left, now or as soon as it accepts the stream. */
  private void cancelUpstream() {
    if (accepted) {
      sendControl(leave());
    } else {
      cancelPending = true;
    }
  }

  /** Tells a resumable stream's provider its last event reached this router's client: it need keep nothing. */
  private void delivered() {
    if (resume != null) {
      sendControl(StreamControl.delivered(id));
    }
  }

  /** What leaving means: a resumable stream goes on for its grace period, any other stops. */
  private StreamControl leave() {
    return resume == null ? StreamControl.cancel() : StreamControl.detach(id);
  }

  /** The relay is shutting down and the drain period is over: stop the upstream, tell the client to retry. */
  void shutDown() {
    if (ended) {
      return;
    }
    cancelUpstream();
    fail(new RelayError(ErrorType.UPSTREAM_UNAVAILABLE, 503, "The relay node serving this stream is shutting down; "
      + "send the request again", 0, null));
  }

  /** Watchdog and keep-alives; called by the router about every {@code tickMs}. */
  void tick(long now) {
    if (ended) {
      return;
    }
    // Only a provider in another process can go silent; in this one, a stopping provider ends its streams.
    if (clustered && accepted && now - lastHeard > config.watchdogMs()) {
      sendControl(StreamControl.cancel());
      fail(RelayError.of(ErrorType.UPSTREAM_UNAVAILABLE,
        "The provider stopped answering (no message for " + config.watchdogMs() + " ms)"));
      return;
    }
    sink.tick(now);
  }

  private void onMessage(String attemptId, Message<StreamChunk> message) {
    StreamChunk chunk = message.body();
    if (chunk.kind() == StreamChunk.Kind.PING) {
      if (ended || !attemptId.equals(id)) {
        message.fail(410, "stream " + attemptId + " has ended");
      } else {
        lastHeard = System.currentTimeMillis();
        message.reply("alive");
      }
      return;
    }
    if (ended || !attemptId.equals(id)) {
      return;
    }
    if (resuming && !accepted) {
      // The replay can overtake the provider's answer to the resume: it is the answer.
      resumed();
    }
    lastHeard = System.currentTimeMillis();
    switch (chunk.kind()) {
      case HEAD -> sink.head(chunk);
      case DELTA -> {
        sink.delta(chunk);
        ungranted++;
        grantIfReady();
      }
      case END -> {
        sink.end(chunk);
        delivered();
        finish();
      }
      case ERROR -> {
        fail(chunk.error());
        delivered();
      }
      default -> throw new IllegalStateException("unexpected chunk " + chunk.kind());
    }
  }

  private void grantIfReady() {
    if (ungranted < grantBatch || awaitingDrain) {
      return;
    }
    if (sink.writeQueueFull()) {
      awaitingDrain = true;
      sink.drainHandler(v -> {
        awaitingDrain = false;
        grant();
      });
    } else {
      grant();
    }
  }

  private void grant() {
    if (!ended && ungranted > 0) {
      sendControl(StreamControl.credit(ungranted, id));
      ungranted = 0;
    }
  }

  private void fail(RelayError error) {
    if (ended) {
      return;
    }
    sink.error(error);
    finish();
  }

  private void sendControl(StreamControl control) {
    eventBus.send(Addresses.control(controlId), control);
  }

  void finish() {
    if (ended) {
      return;
    }
    ended = true;
    consumer.unregister();
    onFinished.accept(this);
  }
}
