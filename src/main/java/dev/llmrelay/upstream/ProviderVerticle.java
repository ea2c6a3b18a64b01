package dev.llmrelay.upstream;

import dev.llmrelay.bus.Addresses;
import dev.llmrelay.bus.OpenRequest;
import dev.llmrelay.bus.StreamChunk;
import dev.llmrelay.config.BreakerConfig;
import dev.llmrelay.config.RelayConfig;
import dev.llmrelay.error.ErrorMapper;
import dev.llmrelay.error.ErrorType;
import dev.llmrelay.error.RelayError;
import dev.llmrelay.trace.Tracing;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;

import java.util.HashSet;
import java.util.Set;

/**
 * Takes {@link OpenRequest}s from the event bus and runs each as an {@link UpstreamStream}. Only
 * wires: the upstream call lives in {@link UpstreamClient}, the per-stream work in UpstreamStream.
 */
public final class ProviderVerticle extends VerticleBase {

  private final UpstreamHealth health;
  private final Set<UpstreamStream> active = new HashSet<>();
  private final RelayConfig config;
  private final Tracing tracing;
  private final boolean spareOpen;
  private UpstreamClient client;
  private MessageConsumer<OpenRequest> opens;
  /** A second cluster-wide consumer on the process's first instance, or null (see the constructor). */
  private MessageConsumer<OpenRequest> spareOpens;
  private MessageConsumer<OpenRequest> localOpens;
  private MessageConsumer<String> alive;
  private long ticker = -1;

  /**
   * @param health where this instance reports its breaker and its streams
   * @param config the whole configuration; this verticle reads its upstream, breaker and stream slices
   * @param tracing spans for each upstream attempt and request, or {@link Tracing#OFF}
   * @param spareOpen listen on {@link Addresses#OPEN} twice: for the first instance of a cluster node. Vert.x
   *                  spreads a clustered send over the nodes by their consumers less one (its
   *                  {@code DefaultNodeSelector} counts a node's first consumer as weight 0), so a node with one
   *                  provider instance would get no stream while another node had two. With one more
   *                  consumer per node, each node's share is its number of instances.
   */
  public ProviderVerticle(UpstreamHealth health, RelayConfig config, Tracing tracing, boolean spareOpen) {
    this.health = health;
    this.config = config;
    this.tracing = tracing;
    this.spareOpen = spareOpen;
  }

  @Override
  public Future<?> start() {
    BreakerConfig breaker = config.breaker();
    client = new UpstreamClient(vertx, config.upstream(), breaker,
      RetryDelay.exponentialWithJitter(breaker.initialDelayMs(), breaker.maxDelayMs()), health.routes(),
      health.admission().limit(), tracing);
    opens = vertx.eventBus().consumer(Addresses.OPEN, this::handleOpen);
    spareOpens = spareOpen ? vertx.eventBus().consumer(Addresses.OPEN, this::handleOpen) : null;
    // start() runs on this instance's event loop: routers on the same loop open their streams here.
    localOpens = vertx.eventBus().localConsumer(Addresses.localOpen(Thread.currentThread().getName()),
      this::handleOpen);
    alive = vertx.eventBus().consumer(Addresses.PROVIDERS, message -> message.reply("alive"));
    return Future.all(opens.completion(), localOpens.completion(), alive.completion(),
      spareOpens == null ? Future.succeededFuture() : spareOpens.completion());
  }

  @Override
  public Future<?> stop() {
    stopTicking();
    // Take no new streams, then end the open ones with a typed error: their routers (perhaps on other
    // nodes) tell their clients at once instead of waiting for the watchdog.
    return unregisterOpens().eventually(() -> {
      for (UpstreamStream stream : Set.copyOf(active)) {
        stream.shutDown();
      }
      return client.close();
    });
  }

  /**
   * Shutdown, first step: take no new streams (in a cluster the other providers get them), let the open
   * ones run. Call on any thread.
   */
  public Future<Void> drain() {
    Promise<Void> done = Promise.promise();
    context.runOnContext(v -> Future.all(unregisterOpens(), alive.unregister()).<Void>mapEmpty().onComplete(done));
    return done.future();
  }

  /** Shutdown, last step: the streams still open end with a typed error their routers pass on. */
  public Future<Void> endStreams() {
    Promise<Void> done = Promise.promise();
    context.runOnContext(v -> {
      for (UpstreamStream stream : Set.copyOf(active)) {
        stream.shutDown();
      }
      done.complete();
    });
    return done.future();
  }

  /** Takes no more streams from the cluster-wide address. */
  private Future<Void> unregisterOpens() {
    return spareOpens == null ? opens.unregister() : Future.all(opens.unregister(), spareOpens.unregister()).mapEmpty();
  }

  private void handleOpen(Message<OpenRequest> message) {
    if (health.draining()) {
      message.reply(StreamChunk.error(0, RelayError.of(ErrorType.OVERLOADED,
        "This relay node is shutting down and takes no new streams; try again").withRetryAfter(ErrorMapper.OVERLOAD_RETRY_MS)));
      return;
    }
    if (!health.admission().tryAcquire()) {
      // Refused at once: waiting here would only turn into a timeout, and count against nobody.
      message.reply(StreamChunk.error(0, ErrorMapper.overloaded(health.admission().limit())));
      return;
    }
    UpstreamStream stream = new UpstreamStream(vertx, message.body(), config.upstream(), config.stream(), health,
      done -> health.admission().release(), this::forget);
    if (active.add(stream) && active.size() == 1) {
      // The tick runs only while a stream is here (a detached resumable one included): an idle provider costs nothing.
      ticker = vertx.setPeriodic(config.stream().tickMs(), id -> tick());
    }
    stream.listen().onComplete(ar -> {
      if (ar.failed()) {
        health.admission().release();
        forget(stream);
        message.fail(500, "cannot listen for stream control: " + ar.cause().getMessage());
        return;
      }
      message.reply("accepted");
      stream.run(client);
    });
  }

  private void forget(UpstreamStream stream) {
    if (active.remove(stream) && active.isEmpty()) {
      stopTicking();
    }
  }

  private void stopTicking() {
    if (ticker >= 0) {
      vertx.cancelTimer(ticker);
      ticker = -1;
    }
  }

  private void tick() {
    long now = System.currentTimeMillis();
    for (UpstreamStream stream : active.toArray(new UpstreamStream[0])) {
      stream.tick(now);
    }
  }
}
