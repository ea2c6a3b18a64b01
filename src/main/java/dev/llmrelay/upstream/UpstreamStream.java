package dev.llmrelay.upstream;

import dev.llmrelay.bus.Addresses;
import dev.llmrelay.bus.OpenRequest;
import dev.llmrelay.bus.StreamChunk;
import dev.llmrelay.bus.StreamControl;
import dev.llmrelay.config.StreamConfig;
import dev.llmrelay.config.UpstreamConfig;
import dev.llmrelay.error.ErrorType;
import dev.llmrelay.error.RelayError;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;

import java.util.List;
import java.util.function.Consumer;

/**
 * The bus side of one stream at the provider: sends one bus message per useful chunk its
 * {@link UpstreamRead} decodes while the router grants credits, takes the router's control messages
 * (credits, cancel), pings a quiet router across processes, and numbers the events. The read's record
 * demand follows the credits, so a router that stops granting them stops the upstream read (TCP
 * backpressure to the origin). Timeouts are checked by {@link #tick}; every terminal path goes through
 * {@link #finish}.
 *
 * <p>A resumable stream ({@link OpenRequest#resume()}) also keeps its events in a {@link ReplayLog}.
 * When its client leaves it goes on reading the upstream for the grace period; a client that comes
 * back (through any router, on any node) gets the events after the last one it had, then the live
 * tail. Its control address is its public id, so every edge node can reach it.
 */
final class UpstreamStream implements UpstreamRead.Listener {

  /** How long a delivered resumable stream stays resumable: a browser that lost the end is back in about 1 s. */
  static final long KEEP_AFTER_DELIVERY_MS = 5_000;

  private final EventBus eventBus;
  private final String streamId;
  private final long window;
  private final StreamConfig streams;
  private final UpstreamHealth health;
  private final Consumer<UpstreamStream> onUpstreamDone;
  private final Consumer<UpstreamStream> onGone;
  private final OpenRequest.Resume resume;
  private final ReplayLog replay;
  private final UpstreamRead read;
  private String dataAddress;
  /** The stream id of the router connection served now: its data address is {@link #dataAddress}. */
  private String target;
  private final DeliveryOptions pingOptions;
  private final boolean heartbeats;

  private MessageConsumer<StreamControl> control;
  private long credits;
  private long seq;
  private long nextPingAt;
  private boolean pingInFlight;
  private boolean finished;
  /** Why the upstream side ended, for its trace span: the error type, or null when it completed. */
  private String endError;
  /** A resumable stream whose client is gone: events go to the replay log only, until a resume or the grace end. */
  private boolean detached;
  private long graceDeadline;
  /** Everything is let go: nothing more is sent, kept or ticked. */
  private boolean released;

  /**
   * @param onUpstreamDone told once, when the upstream is done with (its admission place is free)
   * @param onGone         told once, when nothing of the stream is kept any more
   */
  UpstreamStream(Vertx vertx, OpenRequest open, UpstreamConfig upstream, StreamConfig streams,
                 UpstreamHealth health, Consumer<UpstreamStream> onUpstreamDone, Consumer<UpstreamStream> onGone) {
    this.health = health;
    this.eventBus = vertx.eventBus();
    this.streamId = open.streamId();
    this.window = open.credits();
    this.streams = streams;
    this.onUpstreamDone = onUpstreamDone;
    this.onGone = onGone;
    this.resume = open.resume();
    this.replay = resume == null ? null : new ReplayLog(resume.bufferBytes());
    this.read = new UpstreamRead(vertx, upstream, open.body(), open.model(), open.raw(), open.traceparent(), this);
    this.dataAddress = Addresses.data(streamId);
    this.target = streamId;
    this.credits = open.credits();
    this.nextPingAt = System.currentTimeMillis() + streams.heartbeatMs();
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
    read.run(client);
  }

  /** Checks the timeouts and sends the heartbeat; called by the verticle every {@code tickMs}. */
  void tick(long now) {
    if (released) {
      return;
    }
    if ((detached || finished) && resume != null && now >= graceDeadline) {
      // Nobody came back in time (or the end went out and nobody came back for it): forget what was kept.
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
    RelayError timeout = read.timeout(now, credits > 0);
    if (timeout != null) {
      fail(timeout, true);
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
      case DELIVERED -> delivered();
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
      read.waitFrom(System.currentTimeMillis());
    }
    credits += granted;
    read.demand(credits);
  }

  /**
   * The router wrote the last event to its client. That client may still have lost it (its connection
   * was closing as the end went out), so what is kept stays a few seconds more for it to come back, not
   * the whole grace period.
   */
  private void delivered() {
    if (finished && !released) {
      graceDeadline = Math.min(graceDeadline, System.currentTimeMillis() + KEEP_AFTER_DELIVERY_MS);
    }
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
    read.demand(credits);
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
    long now = System.currentTimeMillis();
    read.waitFrom(now);
    nextPingAt = now + streams.heartbeatMs();
    read.demand(credits);
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

  @Override
  public void head(String model) {
    send(StreamChunk.head(++seq, model));
  }

  @Override
  public void delta(String content, String model, String rawChunk) {
    send(StreamChunk.delta(++seq, content, model, rawChunk));
    credits--;
    health.inFlight(window - credits);
  }

  @Override
  public void end(String model, String finishReason, String usage) {
    send(StreamChunk.end(++seq, model, finishReason, usage));
    finish(false);
  }

  @Override
  public void fail(RelayError error, boolean resetUpstream) {
    endError = error.type().wireName();
    send(StreamChunk.error(++seq, error));
    finish(resetUpstream);
  }

  @Override
  public long credits() {
    return credits;
  }

  void cancel() {
    if (finished) {
      return;
    }
    endError = ErrorType.CANCELLED.wireName();
    finish(true);
  }

  /** Lets go of everything: the control address, the replay log, the provider's reference. */
  private void release() {
    if (released) {
      return;
    }
    released = true;
    finish(false);
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

  /**
   * Ends the stream's upstream side once: closes the read ({@code reset}: the upstream request too) and
   * frees its admission place. A resumable stream whose client is away stays reachable (its control address
   * and log) until a resume or the grace end; any other is let go at once.
   */
  private void finish(boolean reset) {
    if (finished) {
      return;
    }
    finished = true;
    read.close(reset, endError);
    onUpstreamDone.accept(this);
    if (resume == null) {
      release();
    } else if (!detached) {
      // The last events went to a router whose client may have just left: keep them until it confirms
      // the end reached its client (then briefly), or for the grace period.
      graceDeadline = System.currentTimeMillis() + resume.graceMs();
    }
  }
}
