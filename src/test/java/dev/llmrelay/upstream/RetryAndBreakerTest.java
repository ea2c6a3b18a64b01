package dev.llmrelay.upstream;

import dev.llmrelay.config.BreakerConfig;
import dev.llmrelay.config.ConfigLoader;
import dev.llmrelay.config.UpstreamConfig;
import dev.llmrelay.error.ErrorType;
import dev.llmrelay.error.RelayException;
import dev.llmrelay.simulator.Simulator;
import dev.llmrelay.testing.Await;
import io.vertx.circuitbreaker.CircuitBreakerState;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Opening the upstream through its route's breaker with an injected retry-delay policy: retry counts and
 * the delays asked for, {@code Retry-After}, the overall deadline, final 4xx, rate limits and a full pool
 * that never count against a route, and a route's open / half-open / closed cycle on its failure rate.
 */
@ExtendWith(VertxExtension.class)
class RetryAndBreakerTest {

  private Simulator simulator;
  private Vertx vertx;
  private final List<Integer> delaysAskedFor = new CopyOnWriteArrayList<>();

  @BeforeEach
  void startSimulator(Vertx vertx) {
    this.vertx = vertx;
    simulator = Simulator.start(vertx, "127.0.0.1", 0).await();
  }

  private Routes routes;

  /** A client whose routes open when every one of at least {@code minimumCalls} calls failed. */
  private UpstreamClient client(Vertx vertx, int minimumCalls, int maxRetries, long deadlineMs, long resetMs) {
    UpstreamConfig upstream = upstream(simulator.baseUrl(), 8, 5000)
      .withTimeouts(5000, 5000, 5000, 30_000);
    BreakerConfig breaker = new BreakerConfig(100, minimumCalls, 10_000, resetMs, maxRetries, 0, 0,
      deadlineMs, 0);
    routes = new Routes(vertx, breaker, System::currentTimeMillis);
    return new UpstreamClient(vertx, upstream, breaker, (failure, attempt) -> {
      delaysAskedFor.add(attempt);
      return 10L * attempt;
    }, routes, 100);
  }

  private JsonObject route(String model) {
    return routes.route(model).toJson(System.currentTimeMillis());
  }

  private CircuitBreakerState state(String model) {
    return routes.route(model).breaker().state();
  }

  private static String body(String model, String directive) {
    return new JsonObject().put("model", model).put("stream", true).put("messages", new JsonArray()
      .add(new JsonObject().put("role", "user").put("content", "hi " + directive))).encode();
  }

  private static final UpstreamClient.Attempts NOT_CANCELLED = new UpstreamClient.Attempts() {
    @Override
    public boolean cancelled() {
      return false;
    }

    @Override
    public void current(HttpClientRequest request) {
    }

    @Override
    public void backoff(long timerId) {
    }
  };

  /** Opens from an event-loop context, as the provider verticle does (the response is paused in the same tick). */
  private Future<HttpClientResponse> open(UpstreamClient client, String body, UpstreamClient.Attempts attempts) {
    io.vertx.core.Context context = vertx.getOrCreateContext();
    String model = new JsonObject(body).getString("model");
    return Future.future(promise -> context.runOnContext(v -> client.open(body, model, attempts).onComplete(promise)));
  }

  private static RelayException failure(Future<HttpClientResponse> opened) {
    try {
      opened.await();
    } catch (RelayException e) {
      return e;
    }
    throw new AssertionError("expected the open to fail");
  }

  @Test
  void retriesUnhealthyFailuresWithThePolicysDelaysUntilOneSucceeds(Vertx vertx) {
    UpstreamClient client = client(vertx, 100, 3, 5000, 1000);
    HttpClientResponse response = open(client, body("openai/gpt-4o", "[sim failFirst=2 key=a]"), NOT_CANCELLED).await();
    assertEquals(200, response.statusCode());
    response.request().reset();
    assertEquals(List.of(1, 2), delaysAskedFor);
    assertEquals(3, simulator.stats().requests());
  }

  @Test
  void givesUpAfterMaxRetriesWithTheLastError(Vertx vertx) {
    UpstreamClient client = client(vertx, 100, 3, 5000, 1000);
    RelayException e = failure(open(client, body("openai/gpt-4o", "[sim failFirst=99 key=b failStatus=502]"), NOT_CANCELLED));
    assertEquals(ErrorType.UPSTREAM_UNAVAILABLE, e.error().type());
    assertEquals(List.of(1, 2, 3), delaysAskedFor);
    assertEquals(4, simulator.stats().requests());
    assertEquals(4, route("openai/gpt-4o").getInteger("failures"), "every failed attempt is a sign of upstream trouble");
    assertEquals(4, route("openai/gpt-4o").getInteger("calls"));
  }

  @Test
  void retryAfterIsALowerBoundOnTheWait(Vertx vertx) {
    UpstreamClient client = client(vertx, 100, 2, 5000, 1000);
    long start = System.nanoTime();
    HttpClientResponse response = open(client, body("openai/gpt-4o", "[sim failFirst=1 key=c failStatus=429 retryAfter=1]"),
      NOT_CANCELLED).await();
    long waitedMs = (System.nanoTime() - start) / 1_000_000;
    response.request().reset();
    assertTrue(waitedMs >= 1000, "waited " + waitedMs + " ms, Retry-After said 1000");
    assertEquals(2, simulator.stats().requests());
  }

  @Test
  void aRetryAfterBeyondTheDeadlineFailsAtOnce(Vertx vertx) {
    UpstreamClient client = client(vertx, 100, 2, 1000, 1000);
    RelayException e = failure(open(client, body("sim/rate-limit", "[sim retryAfter=30]"), NOT_CANCELLED));
    assertEquals(ErrorType.RATE_LIMIT, e.error().type());
    assertEquals(30_000, e.error().retryAfterMs());
    assertEquals(1, simulator.stats().requests());
  }

  @Test
  void finalRejectionsAreNeitherRetriedNorCounted(Vertx vertx) {
    UpstreamClient client = client(vertx, 2, 3, 5000, 1000);
    for (String model : new String[] {"sim/context-length", "sim/auth", "sim/payment", "sim/forbidden"}) {
      failure(open(client, body(model, ""), NOT_CANCELLED));
    }
    assertEquals(4, simulator.stats().requests());
    assertEquals(List.of(), delaysAskedFor);
    for (String model : new String[] {"sim/context-length", "sim/auth", "sim/payment", "sim/forbidden"}) {
      assertEquals(0, route(model).getInteger("failures"), model);
      assertEquals(CircuitBreakerState.CLOSED, state(model), model);
    }
  }

  @Test
  void rateLimitsNeverOpenTheBreakerAndBackOffTheirRouteOnly(Vertx vertx) {
    UpstreamClient client = client(vertx, 2, 0, 5000, 1000);
    for (int i = 0; i < 4; i++) {
      RelayException e = failure(open(client, body("a/limited", "[sim status=429 retryAfter=30]"), NOT_CANCELLED));
      assertEquals(ErrorType.RATE_LIMIT, e.error().type());
      assertEquals(429, e.error().status());
      assertTrue(e.error().message().contains("rate limit"), e.error().message());
    }
    assertEquals(1, simulator.stats().requests("a/limited"),
      "after the first 429 the route waits as Retry-After said, without asking the upstream again");
    assertEquals(CircuitBreakerState.CLOSED, state("a/limited"));
    assertEquals(0, route("a/limited").getInteger("failures"));
    assertTrue(route("a/limited").getLong("rateLimitedForMs") > 25_000, route("a/limited").encode());

    HttpClientResponse other = open(client, body("b/fine", ""), NOT_CANCELLED).await();
    other.request().reset();
    assertEquals(200, other.statusCode());
    assertEquals(1, simulator.stats().requests("b/fine"));
  }

  @Test
  void aFullPoolIsTheRelaysOverloadNotTheRoutes(Vertx vertx) {
    UpstreamConfig upstream = upstream(simulator.baseUrl(), 1, 300)
      .withTimeouts(5000, 5000, 5000, 30_000).withHttp2("off");
    BreakerConfig breaker = new BreakerConfig(100, 1, 10_000, 1000, 2, 0, 0, 5000, 0);
    routes = new Routes(vertx, breaker, System::currentTimeMillis);
    UpstreamClient client = new UpstreamClient(vertx, upstream, breaker, (f, n) -> 1, routes, 1);
    HttpClientResponse holding = open(client, body("a/model", ""), NOT_CANCELLED).await();
    RelayException e = failure(open(client, body("a/model", ""), NOT_CANCELLED));
    holding.request().reset();
    assertEquals(ErrorType.OVERLOADED, e.error().type());
    assertEquals(503, e.error().status());
    assertEquals(1_000, e.error().retryAfterMs());
    assertEquals(1, simulator.stats().requests("a/model"), "the second stream never reached the upstream");
    assertEquals(CircuitBreakerState.CLOSED, state("a/model"));
    assertEquals(0, route("a/model").getInteger("failures"));
    assertEquals(1, route("a/model").getInteger("calls"), "only the stream that got a connection counts");
  }

  @Test
  void aRoutesBreakerOpensOnItsFailureRateFailsOnlyThatRouteFastAndAProbeClosesIt(Vertx vertx) {
    UpstreamClient client = client(vertx, 3, 0, 5000, 400);
    for (int i = 0; i < 3; i++) {
      assertEquals(ErrorType.UPSTREAM_UNAVAILABLE, failure(open(client, body("a/down", "[sim status=502]"), NOT_CANCELLED))
        .error().type());
    }
    assertEquals(CircuitBreakerState.OPEN, state("a/down"));

    RelayException open = failure(open(client, body("a/down", ""), NOT_CANCELLED));
    assertEquals(ErrorType.CIRCUIT_OPEN, open.error().type());
    assertEquals(503, open.error().status());
    assertEquals(400, open.error().retryAfterMs());
    assertTrue(open.error().message().contains("a/down"), open.error().message());
    assertEquals(3, simulator.stats().requests("a/down"), "the open breaker did not touch the upstream");

    HttpClientResponse other = open(client, body("b/up", ""), NOT_CANCELLED).await();
    other.request().reset();
    assertEquals(200, other.statusCode(), "another route is untouched");
    assertEquals(CircuitBreakerState.CLOSED, state("b/up"));

    Await.until(() -> state("a/down") == CircuitBreakerState.HALF_OPEN, 2000, "the breaker half-opens");
    HttpClientResponse probe = open(client, body("a/down", ""), NOT_CANCELLED).await();
    probe.request().reset();
    assertEquals(CircuitBreakerState.CLOSED, state("a/down"));
    assertEquals(4, simulator.stats().requests("a/down"));
  }

  @Test
  void aRouteOpensOnlyWhenItsFailureRateReachesTheThresholdOverTheMinimumCalls(Vertx vertx) {
    UpstreamConfig upstream = upstream(simulator.baseUrl(), 8, 5000)
      .withTimeouts(5000, 5000, 5000, 30_000);
    BreakerConfig breaker = new BreakerConfig(50, 6, 10_000, 10_000, 0, 0, 0, 5000, 0);
    routes = new Routes(vertx, breaker, System::currentTimeMillis);
    UpstreamClient client = new UpstreamClient(vertx, upstream, breaker, (f, n) -> 1, routes, 100);
    // 2 of 5 failed: under the rate and under the minimum. Then 3 of 6: 50 % of 6 calls, open.
    String[] directives = {"[sim status=503]", "", "", "[sim status=500]", "", "[sim status=502]"};
    for (int i = 0; i < directives.length; i++) {
      Future<HttpClientResponse> opened = open(client, body("m/x", directives[i]), NOT_CANCELLED);
      if (directives[i].isEmpty()) {
        opened.await().request().reset();
      } else {
        assertEquals(ErrorType.UPSTREAM_UNAVAILABLE, failure(opened).error().type());
      }
      assertEquals(i == directives.length - 1 ? CircuitBreakerState.OPEN : CircuitBreakerState.CLOSED, state("m/x"),
        "after call " + (i + 1));
    }
  }

  @Test
  void connectFailuresAreUpstreamUnavailableAndRetried(Vertx vertx) {
    UpstreamConfig upstream = upstream("http://127.0.0.1:" + dev.llmrelay.testing.RelayHarness.freePort()
      + "/api/v1", 8, 1000).withTimeouts(2000, 2000, 2000, 10_000);
    BreakerConfig breaker = new BreakerConfig(100, 100, 10_000, 1000, 2, 0, 0, 5000, 0);
    UpstreamClient client = new UpstreamClient(vertx, upstream, breaker, (f, n) -> {
      delaysAskedFor.add(n);
      return 1;
    }, new Routes(vertx, breaker, System::currentTimeMillis), 8);
    RelayException e = failure(open(client, body("openai/gpt-4o", ""), NOT_CANCELLED));
    assertEquals(ErrorType.UPSTREAM_UNAVAILABLE, e.error().type());
    assertTrue(e.error().message().startsWith("Cannot connect to the upstream"), e.error().message());
    assertEquals(List.of(1, 2), delaysAskedFor);
    assertInstanceOf(RelayException.class, e);
  }

  /** The shipped upstream settings pointed at {@code url}, with this HTTP/1.1 pool and connect timeout. */
  private static UpstreamConfig upstream(String url, int poolSize, long connectTimeoutMs) {
    return ConfigLoader.defaults().upstream().withUrl(url, false).withPools(poolSize, 0)
      .withConnectTimeoutMs(connectTimeoutMs);
  }
}
