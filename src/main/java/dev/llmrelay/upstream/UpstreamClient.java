package dev.llmrelay.upstream;

import dev.llmrelay.config.RelayConfig;
import dev.llmrelay.error.ErrorMapper;
import dev.llmrelay.error.ErrorType;
import dev.llmrelay.error.RelayError;
import io.vertx.circuitbreaker.CircuitBreaker;
import io.vertx.circuitbreaker.CircuitBreakerOptions;
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
import io.vertx.core.internal.logging.Logger;
import io.vertx.core.internal.logging.LoggerFactory;

/**
 * Opens upstream streams: one POST to {@code /chat/completions} per attempt, inside the circuit
 * breaker, retried with backoff while the failure says the upstream is unhealthy. An attempt ends at
 * the response head, so nothing after the first byte is ever retried or counted by the breaker.
 * Final rejections (400/401/402/403, context length) succeed inside the breaker, so they are neither
 * retried nor counted against the upstream's health.
 */
public final class UpstreamClient {

  private static final Logger LOG = LoggerFactory.getLogger(UpstreamClient.class);

  /** 64 MiB: room for a thousand paused streams' full 64 KiB windows on one connection. */
  private static final int HTTP2_CONNECTION_WINDOW = 64 * 1024 * 1024;

  /** What an in-flight open needs from its stream: whether it was cancelled, and where to park handles. */
  public interface Attempts {
    boolean cancelled();

    /** The request of the current attempt, so a cancel can reset it. */
    void current(HttpClientRequest request);

    /** The timer of a pending backoff, so a cancel can stop it. */
    void backoff(long timerId);
  }

  /** The result of one attempt that reached a head: a paused 2xx response, or a final rejection. */
  private record Outcome(HttpClientResponse response, RelayError rejection) {
  }

  private final Vertx vertx;
  private final RelayConfig.Upstream config;
  private final RelayConfig.Breaker breakerConfig;
  private final HttpClientAgent http;
  private final CircuitBreaker breaker;
  private final RetryDelay retryDelay;
  private final String endpoint;
  /** The same for every request; Vert.x copies them into each request, so one map serves all. */
  private final MultiMap headers;

  public UpstreamClient(Vertx vertx, RelayConfig.Upstream config, RelayConfig.Breaker breakerConfig,
                        RetryDelay retryDelay, String name) {
    this.vertx = vertx;
    this.config = config;
    this.breakerConfig = breakerConfig;
    this.retryDelay = retryDelay;
    this.endpoint = stripSlash(config.url()) + "/chat/completions";
    this.headers = requestHeaders(config);
    this.http = vertx.createHttpClient(clientOptions(config),
      new PoolOptions()
        .setHttp1MaxSize(config.poolSize())
        .setHttp2MaxSize(config.http2PoolSize())
        .setMaxWaitQueueSize(-1));
    this.breaker = CircuitBreaker.create(name, vertx, new CircuitBreakerOptions()
        .setMaxFailures(breakerConfig.maxFailures())
        .setFailuresRollingWindow(breakerConfig.failureWindowMs())
        .setResetTimeout(breakerConfig.resetTimeoutMs())
        .setMaxRetries(0)
        .setTimeout(-1))
      .openHandler(v -> LOG.warn("circuit breaker " + name + " OPEN: failing fast for "
        + breakerConfig.resetTimeoutMs() + " ms"))
      .halfOpenHandler(v -> LOG.info("circuit breaker " + name + " HALF_OPEN: probing the upstream"))
      .closeHandler(v -> LOG.info("circuit breaker " + name + " CLOSED"));
  }

  public CircuitBreaker breaker() {
    return breaker;
  }

  /**
   * Opens one upstream stream for {@code body}. Succeeds with a paused 2xx response; fails with a
   * {@link dev.llmrelay.error.RelayException} carrying the typed error. Call it on a Vert.x context:
   * the response must be paused in the tick its head arrives, before any chunk is dropped.
   */
  public Future<HttpClientResponse> open(String body, Attempts attempts) {
    Promise<HttpClientResponse> result = Promise.promise();
    long deadline = System.currentTimeMillis() + breakerConfig.deadlineMs();
    attempt(Buffer.buffer(body), attempts, 1, deadline, result);
    return result.future();
  }

  public Future<Void> close() {
    return http.close();
  }

  private void attempt(Buffer body, Attempts attempts, int number, long deadline, Promise<HttpClientResponse> result) {
    if (attempts.cancelled()) {
      result.fail(RelayError.of(ErrorType.CANCELLED, "The client cancelled the stream").exception());
      return;
    }
    breaker.<Outcome>execute(promise -> send(body, attempts).onComplete(promise)).onComplete(ar -> {
      if (ar.succeeded()) {
        Outcome outcome = ar.result();
        if (outcome.response() != null) {
          result.complete(outcome.response());
        } else {
          result.fail(outcome.rejection().exception());
        }
        return;
      }
      RelayError error = ErrorMapper.fromThrowable(ar.cause());
      if (error.type() == ErrorType.CIRCUIT_OPEN) {
        result.fail(new RelayError(ErrorType.CIRCUIT_OPEN, 503, error.message(), breakerConfig.resetTimeoutMs(), null)
          .exception());
        return;
      }
      if (!attempts.cancelled() && ErrorMapper.countsAgainstUpstream(error) && number <= breakerConfig.maxRetries()) {
        long wait = Math.max(retryDelay.delayMs(ar.cause(), number), error.retryAfterMs());
        if (System.currentTimeMillis() + wait < deadline) {
          attempts.backoff(vertx.setTimer(Math.max(1, wait), id -> attempt(body, attempts, number + 1, deadline, result)));
          return;
        }
      }
      result.fail(error.exception());
    });
  }

  private static MultiMap requestHeaders(RelayConfig.Upstream config) {
    MultiMap headers = HttpHeaders.headers()
      .add(HttpHeaders.CONTENT_TYPE, "application/json")
      .add(HttpHeaders.ACCEPT, "text/event-stream");
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

  private Future<Outcome> send(Buffer body, Attempts attempts) {
    RequestOptions options = new RequestOptions()
      .setMethod(HttpMethod.POST)
      .setAbsoluteURI(endpoint)
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
        return request.send(body);
      })
      .compose(response -> {
        if (response.statusCode() / 100 == 2) {
          // Chunks that arrive before a handler is set are dropped: pause before any async hop.
          response.pause();
          return Future.succeededFuture(new Outcome(response, null));
        }
        return response.body().compose(errorBody -> {
          RelayError error = ErrorMapper.fromUpstreamResponse(response.statusCode(), errorBody.toString(),
            response.getHeader("Retry-After"));
          return ErrorMapper.countsAgainstUpstream(error)
            ? Future.failedFuture(error.exception())
            : Future.succeededFuture(new Outcome(null, error));
        });
      });
  }

  /**
   * HTTP/1.1 with keep-alive, or HTTP/2 when the config prefers it: negotiated by ALPN over TLS (falling
   * back to HTTP/1.1 if the server declines), h2c with prior knowledge over cleartext. Over HTTP/2 a
   * paused stream keeps its unread bytes counted against the connection's flow-control window, so that
   * window is made large: one slow client must never stall the other streams sharing its connection
   * (each stream is still bounded by its own window).
   */
  static HttpClientOptions clientOptions(RelayConfig.Upstream config) {
    HttpClientOptions options = new HttpClientOptions()
      .setConnectTimeout((int) config.connectTimeoutMs())
      .setKeepAlive(true)
      .setDecompressionSupported(true);
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
