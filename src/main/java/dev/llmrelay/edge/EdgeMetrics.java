package dev.llmrelay.edge;

import dev.llmrelay.upstream.Routes;
import dev.llmrelay.upstream.UpstreamHealth;
import io.vertx.circuitbreaker.CircuitBreakerState;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.json.JsonObject;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The relay's own Prometheus series, next to Vert.x's: requests by endpoint and status, active
 * streams, time to first token and stream duration histograms, tokens, stream errors by type, limit
 * refusals and the circuit breakers' states. Labels hold only bounded values (endpoint names, status
 * codes, error types), never a model id or anything else a client chooses; the per-model and per-key
 * series, with their bounded labels, are {@link UsageMetrics}.
 */
final class EdgeMetrics {

  private static final Duration[] BUCKETS = {
    Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500),
    Duration.ofSeconds(1), Duration.ofMillis(2500), Duration.ofSeconds(5), Duration.ofSeconds(10),
    Duration.ofSeconds(30), Duration.ofSeconds(60), Duration.ofSeconds(120), Duration.ofSeconds(300)};

  private final MeterRegistry registry;
  private final AtomicInteger activeStreams = new AtomicInteger();
  private final Timer ttft;
  private final Timer duration;
  private final Counter promptTokens;
  private final Counter completionTokens;
  /** Counters by their labels, found once: a registry lookup builds tags and an id on every call. */
  private final Map<RequestLabels, Counter> requests = new ConcurrentHashMap<>();
  private final Map<String, Counter> streams = new ConcurrentHashMap<>();
  private final Map<String, Counter> errors = new ConcurrentHashMap<>();

  private record RequestLabels(String endpoint, String method, int status) {
  }

  EdgeMetrics(MeterRegistry registry, UpstreamHealth health, AccessLog accessLog) {
    this.registry = registry;
    Gauge.builder("relay.streams.active", activeStreams, AtomicInteger::get)
      .description("Completion streams open to clients right now").register(registry);
    ttft = Timer.builder("relay.stream.ttft").description("Time from request to the first token")
      .serviceLevelObjectives(BUCKETS).register(registry);
    duration = Timer.builder("relay.stream.duration").description("Time from request to the stream's end")
      .serviceLevelObjectives(BUCKETS).register(registry);
    promptTokens = Counter.builder("relay.tokens").tag("kind", "prompt")
      .description("Tokens by kind, from the upstream's usage (completion: deltas when it sent none)")
      .register(registry);
    completionTokens = Counter.builder("relay.tokens").tag("kind", "completion").register(registry);
    FunctionCounter.builder("relay.access.log.dropped", accessLog, AccessLog::dropped)
      .description("Access-log lines dropped because the log writer was too far behind").register(registry);
    for (CircuitBreakerState state : CircuitBreakerState.values()) {
      Gauge.builder("relay.circuit.breakers", health.routes(), routes -> routes.count(state))
        .tag("state", state.name().toLowerCase(java.util.Locale.ROOT))
        .description("This process's upstream routes (one circuit breaker per model) by state").register(registry);
    }
    health.routes().listener(new Routes.Listener() {
      private final Map<String, Gauge> gauges = new ConcurrentHashMap<>();

      @Override
      public void added(String route, java.util.function.Supplier<CircuitBreakerState> state) {
        gauges.put(route, Gauge.builder("relay.route.circuit", state, s -> switch (s.get()) {
            case CLOSED -> 0;
            case HALF_OPEN -> 1;
            case OPEN -> 2;
          })
          .tag("route", route)
          // Held strongly: nothing else holds the supplier, and a gauge's weak reference would read NaN after a GC.
          .strongReference(true)
          .description("One upstream route's circuit: 0 closed, 1 half-open, 2 open").register(registry));
      }

      @Override
      public void removed(String route) {
        Gauge gauge = gauges.remove(route);
        if (gauge != null) {
          registry.remove(gauge);
        }
      }
    });
    FunctionCounter.builder("relay.resumes", health, UpstreamHealth::resumes)
      .description("Resumable streams continued for a client that came back").register(registry);
    FunctionCounter.builder("relay.resume.replayed.events", health, UpstreamHealth::replayedEvents)
      .description("Events sent again to clients that came back").register(registry);
    FunctionCounter.builder("relay.resumable.expired", health, UpstreamHealth::expiredResumables)
      .description("Resumable streams cancelled because no client came back within the grace period")
      .register(registry);
    Gauge.builder("relay.upstream.streams", health, UpstreamHealth::openStreams)
      .description("Upstream streams this process holds right now").register(registry);
    Gauge.builder("relay.upstream.streams.limit", health, h -> h.admission().limit())
      .description("The admission limit: upstream streams this process holds at most").register(registry);
  }

  MeterRegistry registry() {
    return registry;
  }

  void request(String endpoint, String method, int status) {
    requests.computeIfAbsent(new RequestLabels(endpoint, method, status), l -> registry.counter(
      "relay.http.requests", "endpoint", l.endpoint(), "method", l.method(), "status", Integer.toString(l.status())))
      .increment();
  }

  void refused(Denial.Limit limit) {
    registry.counter("relay.rate.limited", "limit", limit.name().toLowerCase(java.util.Locale.ROOT)).increment();
  }

  /** A client connection the relay closed because the client kept it waiting ({@link ClientTimeouts}). */
  void clientTimedOut(String reason) {
    registry.counter("relay.client.timeouts", "reason", reason).increment();
  }

  void streamOpened() {
    activeStreams.incrementAndGet();
  }

  void firstToken(long nanos) {
    ttft.record(nanos, TimeUnit.NANOSECONDS);
  }

  void streamClosed(String outcome, String errorType, long nanos, long prompt, long completion) {
    activeStreams.decrementAndGet();
    duration.record(nanos, TimeUnit.NANOSECONDS);
    promptTokens.increment(prompt);
    completionTokens.increment(completion);
    streams.computeIfAbsent(outcome, o -> registry.counter("relay.streams", "outcome", o)).increment();
    if (errorType != null) {
      errors.computeIfAbsent(errorType, t -> registry.counter("relay.upstream.errors", "type", t)).increment();
    }
  }
}
