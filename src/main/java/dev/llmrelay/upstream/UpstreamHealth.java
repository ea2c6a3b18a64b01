package dev.llmrelay.upstream;

import dev.llmrelay.config.RelayConfig;
import dev.llmrelay.bus.Addresses;
import dev.llmrelay.config.UpstreamConfig;
import io.vertx.circuitbreaker.CircuitBreakerState;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.JsonObject;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * This process's view of its own health, for {@code /health}, {@code /metrics} and the providers:
 * the upstream routes and their breakers, the admission limit, the streams open on each side, and
 * whether the process is draining for shutdown. Ready unless it can serve nothing: draining, or every
 * route it has been asked for is open.
 */
public final class UpstreamHealth {

  /** How long an edge waits for any provider of the cluster to answer its readiness check. */
  static final long PROVIDER_CHECK_MS = 1_000;

  private final Routes routes;
  private final Admission admission;
  private final boolean localProviders;
  private final AtomicInteger clientStreams = new AtomicInteger();
  private final AtomicLong maxInFlight = new AtomicLong();
  private final AtomicLong resumes = new AtomicLong();
  private final AtomicLong replayedEvents = new AtomicLong();
  private final AtomicLong expired = new AtomicLong();
  private volatile boolean draining;

  /** @param localProviders whether this process runs providers (else it is a cluster's edge node) */
  public UpstreamHealth(Routes routes, Admission admission, boolean localProviders) {
    this.routes = routes;
    this.admission = admission;
    this.localProviders = localProviders;
  }

  /**
   * The health of a process running {@code config}: its routes, and its admission limit as configured
   * or sized from the open-files limit, the heap and, over HTTP/1.1, the local ports.
   */
  public static UpstreamHealth of(Vertx vertx, RelayConfig config) {
    UpstreamConfig upstream = config.upstream();
    int limit = upstream.maxStreams() > 0 ? upstream.maxStreams()
      : Admission.defaultLimit(Admission.openFilesLimit(), Runtime.getRuntime().maxMemory(), Admission.localPorts(),
        config.deployment().runsRouters(), upstream.prefersHttp2());
    return new UpstreamHealth(new Routes(vertx, config.breaker(), System::currentTimeMillis), new Admission(limit),
      config.deployment().runsProviders());
  }

  public Routes routes() {
    return routes;
  }

  public Admission admission() {
    return admission;
  }

  /** Called once per chunk sent: reads before it writes, so the event loops share the line, not its writes. */
  void inFlight(long chunks) {
    if (chunks > maxInFlight.get()) {
      maxInFlight.accumulateAndGet(chunks, Math::max);
    }
  }

  void resumed() {
    resumes.incrementAndGet();
  }

  void replayed(int events) {
    replayedEvents.addAndGet(events);
  }

  void resumableExpired() {
    expired.incrementAndGet();
  }

  /** Resumable streams this process's providers resumed for a returning client. */
  public long resumes() {
    return resumes.get();
  }

  /** Events sent again to returning clients. */
  public long replayedEvents() {
    return replayedEvents.get();
  }

  /** Resumable streams cancelled because no client came back within the grace period. */
  public long expiredResumables() {
    return expired.get();
  }

  /** A router began serving a client stream. */
  public void clientStreamOpened() {
    clientStreams.incrementAndGet();
  }

  /** A router finished a client stream, for any reason. */
  public void clientStreamClosed() {
    clientStreams.decrementAndGet();
  }

  /** Client streams this JVM's routers serve right now. */
  public int clientStreams() {
    return clientStreams.get();
  }

  /** Upstream streams this JVM's providers hold right now. */
  public int openStreams() {
    return admission.held();
  }

  /** The most chunks any one stream ever had sent but not yet credited back. */
  public long maxInFlight() {
    return maxInFlight.get();
  }

  /** The process is stopping: not ready from now on, and its providers take no new streams. */
  public void drain() {
    draining = true;
  }

  public boolean draining() {
    return draining;
  }

  /** Whether this process can serve anything: not draining, and not every route open. */
  public boolean ready() {
    return !draining && !routes.allOpen();
  }

  /**
   * {@link #toJson()}, for an edge node also asking the cluster whether any provider takes streams: an
   * edge whose providers are all gone cannot serve anything, so it is not ready either.
   */
  public Future<JsonObject> check(EventBus bus) {
    JsonObject json = toJson();
    if (localProviders) {
      return Future.succeededFuture(json.put("providers", "local"));
    }
    return bus.request(Addresses.PROVIDERS, "ready?", new DeliveryOptions().setSendTimeout(PROVIDER_CHECK_MS))
      .map(reply -> json.put("providers", "reachable"))
      .otherwise(failure -> json.put("providers", "none").put("ready", false));
  }

  public JsonObject toJson() {
    return new JsonObject()
      .put("ready", ready())
      .put("draining", draining)
      .put("openStreams", openStreams())
      .put("maxStreams", admission.limit())
      .put("clientStreams", clientStreams())
      .put("openRoutes", routes.count(CircuitBreakerState.OPEN))
      .put("routes", routes.toJson());
  }
}
