package dev.llmrelay.upstream;

import dev.llmrelay.config.BreakerConfig;
import io.vertx.circuitbreaker.CircuitBreaker;
import io.vertx.circuitbreaker.CircuitBreakerOptions;
import io.vertx.circuitbreaker.CircuitBreakerState;
import io.vertx.core.Vertx;
import io.vertx.core.internal.logging.Logger;
import io.vertx.core.internal.logging.LoggerFactory;
import io.vertx.core.json.JsonArray;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The process's upstream routes, one per model, each with its own circuit breaker: one model's
 * trouble fails only that model fast. Shared by all provider instances of the process. Bounded: at
 * {@code maxRoutes} the routes that are closed and idle longest are forgotten first; if none can be,
 * the new model shares the {@value #OVERFLOW} route. An idle route costs nothing (no timer; the
 * breaker's own timer runs only while it is open).
 */
public final class Routes {

  private static final Logger LOG = LoggerFactory.getLogger(Routes.class);

  /** The route of models that found the registry full of routes that could not be forgotten. */
  static final String OVERFLOW = "(other)";

  private final Vertx vertx;
  private final BreakerConfig config;
  private final LongSupplier clock;
  private final ConcurrentHashMap<String, Route> routes = new ConcurrentHashMap<>();
  private volatile Listener listener = new Listener() {
  };

  /** Told when a route is created and when it is forgotten, e.g. to keep a per-route gauge. */
  public interface Listener {
    default void added(String route, Supplier<CircuitBreakerState> state) {
    }

    default void removed(String route) {
    }
  }

  public Routes(Vertx vertx, BreakerConfig config, LongSupplier clock) {
    this.vertx = vertx;
    this.config = config;
    this.clock = clock;
  }

  public void listener(Listener newListener) {
    this.listener = newListener;
    routes.forEach((name, route) -> newListener.added(name, route.breaker()::state));
  }

  /** The route of {@code model} (null or blank: the upstream's default model). */
  Route route(String model) {
    String name = model == null || model.isBlank() ? "(default)" : model;
    long now = clock.getAsLong();
    Route route = routes.get(name);
    if (route == null) {
      if (routes.size() >= config.maxRoutes()) {
        forgetIdle(now);
      }
      if (routes.size() >= config.maxRoutes() && !routes.containsKey(name)) {
        name = OVERFLOW;
      }
      boolean[] created = {false};
      route = routes.computeIfAbsent(name, n -> {
        created[0] = true;
        return create(n, now);
      });
      if (created[0]) {
        listener.added(name, route.breaker()::state);
      }
    }
    route.used(now);
    return route;
  }

  private Route create(String name, long now) {
    CircuitBreaker breaker = CircuitBreaker.create("route " + name, vertx, new CircuitBreakerOptions()
        // The route opens it on its failure rate; the breaker keeps the state, the reset timer and the probe.
        .setMaxFailures(Integer.MAX_VALUE)
        .setResetTimeout(config.resetTimeoutMs())
        .setMaxRetries(0)
        .setTimeout(-1))
      .openHandler(v -> LOG.warn("route " + name + " circuit OPEN: failing its streams fast for "
        + config.resetTimeoutMs() + " ms; other routes are not affected"))
      .halfOpenHandler(v -> LOG.info("route " + name + " circuit HALF_OPEN: one probe goes to the upstream"))
      .closeHandler(v -> LOG.info("route " + name + " circuit CLOSED"));
    return new Route(name, breaker, config.failureRatePercent(), config.minimumCalls(), config.failureWindowMs(), now);
  }

  /** Forgets the routes that are closed and unused for a whole failure window, oldest first, down to 90 % of the bound. */
  private synchronized void forgetIdle(long now) {
    List<Route> idle = new ArrayList<>();
    for (Route route : routes.values()) {
      if (route.idle(now, config.failureWindowMs()) && !route.name().equals(OVERFLOW)) {
        idle.add(route);
      }
    }
    idle.sort(Comparator.comparingLong(Route::lastUsed));
    int excess = routes.size() - config.maxRoutes() * 9 / 10;
    for (int i = 0; i < idle.size() && i < excess; i++) {
      if (routes.remove(idle.get(i).name(), idle.get(i))) {
        listener.removed(idle.get(i).name());
      }
    }
  }

  public int size() {
    return routes.size();
  }

  /** Whether every known route is open: then this process can serve nothing it has been asked for lately. */
  public boolean allOpen() {
    if (routes.isEmpty()) {
      return false;
    }
    for (Route route : routes.values()) {
      if (route.breaker().state() != CircuitBreakerState.OPEN) {
        return false;
      }
    }
    return true;
  }

  /** Routes by state, for {@code /metrics}. */
  public int count(CircuitBreakerState state) {
    int n = 0;
    for (Route route : routes.values()) {
      if (route.breaker().state() == state) {
        n++;
      }
    }
    return n;
  }

  /** {@code [{route, state, calls, failures, rateLimitedForMs?}]}, open and half-open routes first. */
  public JsonArray toJson() {
    long now = clock.getAsLong();
    List<Route> list = new ArrayList<>(routes.values());
    list.sort(Comparator.comparing((Route r) -> r.breaker().state() == CircuitBreakerState.CLOSED)
      .thenComparing(Route::name));
    JsonArray json = new JsonArray();
    for (Route route : list) {
      json.add(route.toJson(now));
    }
    return json;
  }
}
