package dev.llmrelay.upstream;

import dev.llmrelay.bus.Addresses;
import dev.llmrelay.bus.OpenRequest;
import dev.llmrelay.config.RelayConfig;
import io.vertx.core.Future;
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
  private UpstreamClient client;
  private MessageConsumer<OpenRequest> opens;
  private MessageConsumer<OpenRequest> localOpens;
  private long ticker = -1;

  /**
   * @param health where this instance reports its breaker and its streams
   * @param config the whole configuration; this verticle reads its upstream, breaker and stream slices
   */
  public ProviderVerticle(UpstreamHealth health, RelayConfig config) {
    this.health = health;
    this.config = config;
  }

  @Override
  public Future<?> start() {
    RelayConfig.Breaker breaker = config.breaker();
    client = new UpstreamClient(vertx, config.upstream(), breaker,
      RetryDelay.exponentialWithJitter(breaker.initialDelayMs(), breaker.maxDelayMs()),
      "upstream-" + context.deploymentID() + "-" + System.identityHashCode(this));
    health.add(client);
    ticker = vertx.setPeriodic(config.stream().tickMs(), id -> tick());
    opens = vertx.eventBus().consumer(Addresses.OPEN, this::handleOpen);
    // start() runs on this instance's event loop: routers on the same loop open their streams here.
    localOpens = vertx.eventBus().localConsumer(Addresses.localOpen(Thread.currentThread().getName()),
      this::handleOpen);
    return Future.all(opens.completion(), localOpens.completion());
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(ticker);
    // Take no new streams, then end the open ones with a typed error: their routers (perhaps on other
    // nodes) tell their clients at once instead of waiting for the watchdog.
    return opens.unregister().eventually(() -> {
      for (UpstreamStream stream : Set.copyOf(active)) {
        stream.shutDown();
      }
      return client.close();
    });
  }

  private void handleOpen(Message<OpenRequest> message) {
    UpstreamStream stream = new UpstreamStream(vertx, message.body(), config.upstream(), config.stream(), health,
      this::forget);
    active.add(stream);
    health.streamOpened();
    stream.listen().onComplete(ar -> {
      if (ar.failed()) {
        forget(stream);
        message.fail(500, "cannot listen for stream control: " + ar.cause().getMessage());
        return;
      }
      message.reply("accepted");
      stream.run(client);
    });
  }

  private void forget(UpstreamStream stream) {
    if (active.remove(stream)) {
      health.streamClosed();
    }
  }

  private void tick() {
    long now = System.currentTimeMillis();
    for (UpstreamStream stream : active.toArray(new UpstreamStream[0])) {
      stream.tick(now);
    }
  }
}
