package dev.llmrelay.upstream;

import dev.llmrelay.bus.Addresses;
import dev.llmrelay.bus.OpenRequest;
import dev.llmrelay.bus.StreamChunk;
import dev.llmrelay.bus.StreamConsumers;
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

import java.util.function.Consumer;

/**
 * The bus side of one stream at the provider: sends one bus message per useful chunk its
 * {@link UpstreamRead} decodes while the router grants credits, takes the router's control messages
 * (credits, cancel), pings a quiet router across processes, and numbers the events. The read's record
 * demand follows the credits, so a router that stops granting them stops the upstream read (TCP
 * backpressure to the origin). Timeouts are checked by {@link #tick}; every terminal path goes through
 * {@link #finish}.
 *
 * <p>A resumable stream ({@link OpenRequest#resume()}) hands its detach, resume, delete and delivered
 * messages, its replay log and its grace period to its {@link Resumable}.
 */
final class UpstreamStream implements UpstreamRead.Listener {

  private final EventBus eventBus;
  private final String streamId;
  private final long window;
  private final StreamConfig streams;
  private final UpstreamHealth health;
  private final Consumer<UpstreamStream> onUpstreamDone;
  private final Consumer<UpstreamStream> onGone;
  /** A resumable stream's replay log and grace period, or null. */
  private final Resumable resumable;
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
    this.resumable = open.resume() == null ? null : new Resumable(this, open.resume(), health);
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
    control = StreamConsumers.consumer(eventBus, Addresses.control(resumable == null ? streamId : resumable.id()),
      this::onControl);
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
    if (resumable != null && resumable.expired(now)) {
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
    if (heartbeats && !detached() && now >= nextPingAt && !pingInFlight) {
      pingInFlight = true;
      nextPingAt = now + streams.heartbeatMs();
      eventBus.request(dataAddress, StreamChunk.ping(), pingOptions).onComplete(ar -> {
        pingInFlight = false;
        if (ar.failed() && !finished) {
          // The router (or its node) is gone: nobody will read this stream any more, unless it is resumable.
          if (resumable != null) {
            resumable.detach();
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
    if (resumable == null && msg.kind() != StreamControl.Kind.CANCEL && msg.kind() != StreamControl.Kind.CREDIT) {
      // Only a resumable stream is detached, resumed, deleted or told of delivery: any other answers like an
      // unknown id (a send without a reply address ignores the failure).
      message.fail(404, "no such stream");
      return;
    }
    switch (msg.kind()) {
      case CANCEL -> cancel();
      case DETACH -> resumable.detach();
      case RESUME -> resumable.resume(message);
      case DELETE -> resumable.delete(message);
      case DELIVERED -> resumable.delivered();
      case CREDIT -> {
        if (!detached()) {
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

  /** Whether this resumable stream's client is away. */
  private boolean detached() {
    return resumable != null && resumable.detached();
  }

  /** Sets the credits to {@code credits} and has the read follow them. */
  void demand(long credits) {
    this.credits = credits;
    read.demand(credits);
  }

  /** The router connection {@code target} reads this stream from now on. */
  void readBy(String target) {
    dataAddress = Addresses.data(target);
    this.target = target;
  }

  /** A resumed reader's window opens with {@code window} credits: the watches restart from now. */
  void reopen(long window) {
    credits = window;
    long now = System.currentTimeMillis();
    read.waitFrom(now);
    nextPingAt = now + streams.heartbeatMs();
    read.demand(credits);
  }

  /** Sends {@code chunk} to the reader as it is: not kept, and no ping put off. */
  void post(StreamChunk chunk) {
    eventBus.send(dataAddress, chunk);
  }

  long seq() {
    return seq;
  }

  boolean finished() {
    return finished;
  }

  boolean released() {
    return released;
  }

  @Override
  public void head(String model) {
    send(StreamChunk.head(++seq, model));
  }

  @Override
  public void delta(String content, String model, String rawChunk, boolean bare) {
    send(StreamChunk.delta(++seq, content, model, rawChunk, bare));
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
  void release() {
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
    if (resumable != null && resumable.keep(chunk)) {
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
    if (resumable == null) {
      release();
    } else {
      resumable.ended();
    }
  }
}
