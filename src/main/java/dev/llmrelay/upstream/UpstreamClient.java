package dev.llmrelay.upstream;

import dev.llmrelay.config.BreakerConfig;
import dev.llmrelay.config.UpstreamConfig;
import dev.llmrelay.error.ErrorMapper;
import dev.llmrelay.error.ErrorType;
import dev.llmrelay.error.RelayError;
import dev.llmrelay.trace.Tracing;
import dev.llmrelay.trace.UpstreamAttempt;
import io.opentelemetry.api.trace.Span;
import io.vertx.circuitbreaker.CircuitBreakerState;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;

/**
 * Opens upstream streams: one POST to {@code /chat/completions} per attempt, inside the circuit
 * breaker of the request's route (its model), retried with backoff while the failure may pass. An
 * attempt ends at the response head, so nothing after the first byte is ever retried or counted.
 * Only the upstream's own failures (5xx, transport, timeouts) count against the route's health; final
 * rejections (400/401/402/403, context length), rate limits and the relay's own overload succeed
 * inside the breaker and are reported as what they are. A 429 with {@code Retry-After} also backs
 * off its route: no call for that model leaves the relay before the upstream said it may.
 */
public final class UpstreamClient {

  /** The longest a route backs off for one 429, whatever its Retry-After says. */
  static final long MAX_RATE_LIMIT_BACKOFF_MS = 60_000;

  /** 64 MiB: room for a thousand paused streams' full 64 KiB windows on one connection. */
  private static final int HTTP2_CONNECTION_WINDOW = 64 * 1024 * 1024;

  /** What an in-flight open needs from its stream: whether it was cancelled, and where to park handles. */
  public interface Attempts {
    boolean cancelled();

    /** The request of the current attempt, so a cancel can reset it. */
    void current(HttpClientRequest request);

    /** The timer of a pending backoff, so a cancel can stop it. */
    void backoff(long timerId);

    /** The W3C trace context the attempts' spans hang under, or null (a new trace, when tracing is on). */
    default String traceparent() {
      return null;
    }

    /** The span of the upstream request that succeeded: the stream ends it when the upstream body is done. */
    default void upstreamSpan(Span request) {
    }
  }

  /** The result of one attempt that reached a head: a paused 2xx response, or a final rejection. */
  private record Outcome(HttpClientResponse response, RelayError rejection) {
  }

  private final Vertx vertx;
  private final UpstreamConfig config;
  private final BreakerConfig breakerConfig;
  private final HttpClientAgent http;
  private final Routes routes;
  private final RetryDelay retryDelay;
  private final Tracing tracing;
  /** Where every stream is asked for: host, port, TLS and path. */
  private final RequestOptions endpoint;
  /** The same for every request; Vert.x copies them into each request, so one map serves all. */
  private final MultiMap headers;

  /**
   * @param routes   the process's routes, whose breakers this client's calls report to
   * @param admitted the process's admission limit: unless configured, the pools hold a connection for
   *                 every stream it admits, so an admitted stream never waits for one
   */
  public UpstreamClient(Vertx vertx, UpstreamConfig config, BreakerConfig breakerConfig,
                        RetryDelay retryDelay, Routes routes, int admitted) {
    this(vertx, config, breakerConfig, retryDelay, routes, admitted, Tracing.OFF);
  }

  /** As above, with a span per attempt and per upstream request ({@link UpstreamAttempt}). */
  public UpstreamClient(Vertx vertx, UpstreamConfig config, BreakerConfig breakerConfig,
                        RetryDelay retryDelay, Routes routes, int admitted, Tracing tracing) {
    this.vertx = vertx;
    this.tracing = tracing;
    this.config = config;
    this.breakerConfig = breakerConfig;
    this.retryDelay = retryDelay;
    this.routes = routes;
    // Parsed once: a URL per request showed in the profile.
    this.endpoint = new RequestOptions().setAbsoluteURI(stripSlash(config.url()) + "/chat/completions");
    this.headers = requestHeaders(config);
    // Connections open lazily: a large bound costs nothing until streams need it.
    this.http = vertx.createHttpClient(clientOptions(config),
      new PoolOptions()
        .setHttp1MaxSize(config.http1Pool(admitted))
        .setHttp2MaxSize(config.http2Pool(admitted))
        .setMaxWaitQueueSize(-1)
        .setCleanerPeriod(POOL_CLEANER_MS));
  }

  /**
   * Opens one upstream stream for {@code body}. Succeeds with a paused 2xx response; fails with a
   * {@link dev.llmrelay.error.RelayException} carrying the typed error. Call it on a Vert.x context:
   * the response must be paused in the tick its head arrives, before any chunk is dropped.
   */
  public Future<HttpClientResponse> open(String body, String model, Attempts attempts) {
    Promise<HttpClientResponse> result = Promise.promise();
    long deadline = System.currentTimeMillis() + breakerConfig.deadlineMs();
    attempt(Buffer.buffer(body), routes.route(model), attempts, 1, deadline, result);
    return result.future();
  }

  public Future<Void> close() {
    return http.close();
  }

  private void attempt(Buffer body, Route route, Attempts attempts, int number, long deadline,
                       Promise<HttpClientResponse> result) {
    if (attempts.cancelled()) {
      result.fail(RelayError.of(ErrorType.CANCELLED, "The client cancelled the stream").exception());
      return;
    }
    UpstreamAttempt span = UpstreamAttempt.start(tracing, attempts.traceparent(), number, route.name());
    long backingOff = route.rateLimitWait(System.currentTimeMillis());
    if (backingOff > 0) {
      // The upstream asked this model to wait: answer as it would, without asking it again.
      RelayError limited = ErrorMapper.fromUpstream(429, "rate_limit_exceeded", "the upstream asked to wait "
        + "before the next request for " + route.name(), backingOff);
      retryOrFail(limited, null, span, body, route, attempts, number, deadline, result);
      return;
    }
    boolean probe = route.breaker().state() == CircuitBreakerState.HALF_OPEN;
    route.breaker().<Outcome>execute(promise -> send(body, attempts, span).onComplete(promise)).onComplete(ar -> {
      long now = System.currentTimeMillis();
      if (ar.succeeded()) {
        Outcome outcome = ar.result();
        if (outcome.response() != null) {
          route.record(false, now);
          attempts.upstreamSpan(span.handOver());
          span.end(null, -1);
          result.complete(outcome.response());
          return;
        }
        RelayError rejection = outcome.rejection();
        ErrorType type = rejection.type();
        if (type == ErrorType.CANCELLED || type == ErrorType.OVERLOADED) {
          if (probe) {
            // No word on the route's health: the probe did not reach the upstream, so keep it open.
            route.breaker().open();
          }
        } else {
          route.record(false, now);
        }
        if (type == ErrorType.RATE_LIMIT && rejection.retryAfterMs() > 0) {
          route.rateLimited(now + Math.min(rejection.retryAfterMs(), MAX_RATE_LIMIT_BACKOFF_MS));
        }
        retryOrFail(rejection, null, span, body, route, attempts, number, deadline, result);
        return;
      }
      RelayError error = ErrorMapper.fromThrowable(ar.cause());
      if (error.type() == ErrorType.CIRCUIT_OPEN) {
        span.end(error.type().wireName(), -1);
        result.fail(new RelayError(ErrorType.CIRCUIT_OPEN, 503, "The circuit of model " + route.name()
          + " is open after repeated upstream failures; other models are not affected", breakerConfig.resetTimeoutMs(),
          null).exception());
        return;
      }
      route.record(true, now);
      retryOrFail(error, ar.cause(), span, body, route, attempts, number, deadline, result);
    });
  }

  /** Tries again after a backoff while the error may pass and the deadline allows; else fails with it. */
  private void retryOrFail(RelayError error, Throwable cause, UpstreamAttempt span, Buffer body, Route route,
                           Attempts attempts, int number, long deadline, Promise<HttpClientResponse> result) {
    if (!attempts.cancelled() && ErrorMapper.retryable(error) && number <= breakerConfig.maxRetries()) {
      long wait = Math.max(retryDelay.delayMs(cause, number), error.retryAfterMs());
      if (System.currentTimeMillis() + wait < deadline) {
        span.end(error.type().wireName(), Math.max(1, wait));
        attempts.backoff(vertx.setTimer(Math.max(1, wait),
          id -> attempt(body, route, attempts, number + 1, deadline, result)));
        return;
      }
    }
    span.end(error.type().wireName(), -1);
    result.fail(error.exception());
  }

  private static MultiMap requestHeaders(UpstreamConfig config) {
    return accountHeaders(config)
      .add(HttpHeaders.CONTENT_TYPE, "application/json")
      .add(HttpHeaders.ACCEPT, "text/event-stream");
  }

  /**
   * The headers every call to the upstream carries: the API key and the app's attribution. Also used
   * by the model catalog's {@code GET /models}.
   */
  public static MultiMap accountHeaders(UpstreamConfig config) {
    MultiMap headers = HttpHeaders.headers();
    if (config.apiKey() != null) {
      headers.add(HttpHeaders.AUTHORIZATION, "Bearer " + config.apiKey());
    }
    if (config.referer() != null) {
      headers.add("HTTP-Referer", config.referer());
    }
    if (config.title() != null) {
      headers.add("X-OpenRouter-Title", config.title());
    }
    return headers;
  }

  /**
   * One attempt. Fails only with what counts against the route's health; every other end (a 2xx head,
   * a final answer, a rate limit, a cancel, the relay's own overload) is a succeeded outcome.
   */
  private Future<Outcome> send(Buffer body, Attempts attempts, UpstreamAttempt span) {
    RequestOptions options = new RequestOptions()
      .setMethod(HttpMethod.POST)
      .setHost(endpoint.getHost())
      .setPort(endpoint.getPort())
      .setSsl(endpoint.isSsl())
      .setURI(endpoint.getURI())
      .setConnectTimeout(config.connectTimeoutMs())
      .setIdleTimeout(config.firstByteTimeoutMs())
      .setHeaders(headers);
    return http.request(options)
      .compose(request -> {
        attempts.current(request);
        if (attempts.cancelled()) {
          request.reset();
          return Future.failedFuture(RelayError.of(ErrorType.CANCELLED, "The client cancelled the stream").exception());
        }
        span.sending(request);
        return request.send(body);
      })
      .compose(response -> {
        span.status(response.statusCode());
        if (response.statusCode() / 100 == 2) {
          // Chunks that arrive before a handler is set are dropped: pause before any async hop.
          response.pause();
          return Future.succeededFuture(new Outcome(response, null));
        }
        return response.body().map(errorBody -> ErrorMapper.fromUpstreamResponse(response.statusCode(),
            errorBody.toString(), response.getHeader("Retry-After")))
          .compose(error -> Future.failedFuture(error.exception()));
      })
      .recover(failure -> {
        RelayError error = ErrorMapper.fromThrowable(failure);
        return ErrorMapper.countsAgainstRoute(error)
          ? Future.failedFuture(failure)
          : Future.succeededFuture(new Outcome(null, error));
      });
  }

  /**
   * How often a client's pool looks for idle connections past their keep-alive timeout (60 s). Vert.x's
   * default, every second, wakes an event loop per client whether or not anything is open: most of what an
   * idle relay spent once its own stream ticks stopped. Every 15 s: an idle connection goes within 60–75 s
   * (sooner when the upstream closes it first).
   */
  public static final int POOL_CLEANER_MS = 15_000;

  /**
   * HTTP/1.1 with keep-alive, or HTTP/2 when the config prefers it: negotiated by ALPN over TLS (falling
   * back to HTTP/1.1 if the server declines), h2c with prior knowledge over cleartext. Over HTTP/2 a
   * paused stream keeps its unread bytes counted against the connection's flow-control window, so that
   * window is made large: one slow client must never stall the other streams sharing its connection
   * (each stream is still bounded by its own window). The model catalog's client uses them too.
   *
   * <p>No compression is asked for (no {@code Accept-Encoding}): a compressor holds small events back in its
   * window, and without it no decompressor sits in every chunk's path. The catalog asks for it itself.
   */
  public static HttpClientOptions clientOptions(UpstreamConfig config) {
    HttpClientOptions options = new HttpClientOptions()
      .setConnectTimeout((int) config.connectTimeoutMs())
      .setKeepAlive(true);
    if (config.prefersHttp2()) {
      options.setProtocolVersion(HttpVersion.HTTP_2)
        .setUseAlpn(true)
        .setHttp2ClearTextUpgrade(false)
        .setHttp2ConnectionWindowSize(HTTP2_CONNECTION_WINDOW);
    }
    return options;
  }

  private static String stripSlash(String url) {
    return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
  }
}
