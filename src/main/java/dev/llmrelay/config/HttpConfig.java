package dev.llmrelay.config;

import java.util.function.Consumer;

/**
 * The client-facing HTTP server.
 *
 * <p>Client timeouts ({@code dev.llmrelay.edge.ClientTimeouts}): {@code headerTimeoutMs} from connecting
 * to a complete request head, {@code keepAliveTimeoutMs} from a response's end to the next complete head,
 * {@code bodyTimeoutMs} without a byte of an unfinished body; none runs while the relay owes the answer.
 * Absent or 0: the defaults, within nginx's 60 s. A real client sends its head in one write and its body
 * without pauses, so 30 s leaves room for a lossy link's retransmissions (1 + 2 + 4 + 8 s of back-off)
 * while a connection that only holds a socket goes twice as fast as under nginx; idle keep-alive gets
 * 60 s, since only a client that made a request can hold it, and reuse spares that client a reconnect.
 */
public record HttpConfig(String host, int port, int instances, int maxRequestLineBytes, int maxBodyBytes,
                         String modelsFile, Long headerTimeoutMs, Long bodyTimeoutMs, Long keepAliveTimeoutMs,
                         Long modelsRefreshMs, Integer warmupStreams, Boolean vertxHttpMetrics) {

  public static final long DEFAULT_HEADER_TIMEOUT_MS = 30_000;
  public static final long DEFAULT_BODY_TIMEOUT_MS = 30_000;
  public static final long DEFAULT_KEEP_ALIVE_TIMEOUT_MS = 60_000;
  public static final long DEFAULT_MODELS_REFRESH_MS = 3_600_000;
  /** Streams through throwaway copies of the relay before it listens (see {@code dev.llmrelay.Warmup}). */
  public static final int DEFAULT_WARMUP_STREAMS = 4_500;

  public HttpConfig {
    instances = RelayConfig.instancesOrCores(instances, "http.instances");
    headerTimeoutMs = positiveOr(headerTimeoutMs, DEFAULT_HEADER_TIMEOUT_MS);
    bodyTimeoutMs = positiveOr(bodyTimeoutMs, DEFAULT_BODY_TIMEOUT_MS);
    keepAliveTimeoutMs = positiveOr(keepAliveTimeoutMs, DEFAULT_KEEP_ALIVE_TIMEOUT_MS);
    modelsRefreshMs = modelsRefreshMs == null ? DEFAULT_MODELS_REFRESH_MS : modelsRefreshMs;
    warmupStreams = warmupStreams == null ? DEFAULT_WARMUP_STREAMS : warmupStreams;
    vertxHttpMetrics = vertxHttpMetrics != null && vertxHttpMetrics;
    if (warmupStreams < 0) {
      throw new IllegalArgumentException("http.warmupStreams must be 0 (no warm-up) or more, not " + warmupStreams);
    }
    if (modelsRefreshMs < 0) {
      throw new IllegalArgumentException("http.modelsRefreshMs must be 0 (no live catalog) or more, not "
        + modelsRefreshMs);
    }
  }

  /** The model catalog's file and how often the upstream's list is fetched again (0: never fetched). */
  public HttpConfig withModels(String file, long refreshMs) {
    return with(e -> {
      e.modelsFile = file;
      e.modelsRefreshMs = refreshMs;
    });
  }

  public HttpConfig withHost(String value) {
    return with(e -> e.host = value);
  }

  public HttpConfig withPort(int value) {
    return with(e -> e.port = value);
  }

  /** Router verticle instances; 0: one per CPU core. */
  public HttpConfig withInstances(int value) {
    return with(e -> e.instances = value);
  }

  public HttpConfig withMaxRequestLineBytes(int value) {
    return with(e -> e.maxRequestLineBytes = value);
  }

  public HttpConfig withMaxBodyBytes(int value) {
    return with(e -> e.maxBodyBytes = value);
  }

  /** The client timeouts; 0 for any is its default. */
  public HttpConfig withClientTimeouts(long headerMs, long bodyMs, long keepAliveMs) {
    return with(e -> {
      e.headerTimeoutMs = headerMs;
      e.bodyTimeoutMs = bodyMs;
      e.keepAliveTimeoutMs = keepAliveMs;
    });
  }

  /** How many streams warm the relay up before it listens; 0: none. */
  public HttpConfig withWarmupStreams(int value) {
    return with(e -> e.warmupStreams = value);
  }

  /**
   * Whether Vert.x's own per-request HTTP series ({@code vertx_http_server_*}, {@code vertx_http_client_*})
   * are kept; off by default: they cost work on every request and every upstream response.
   */
  public HttpConfig withVertxHttpMetrics(boolean value) {
    return with(e -> e.vertxHttpMetrics = value);
  }

  private HttpConfig with(Consumer<Edit> change) {
    Edit edit = new Edit(this);
    change.accept(edit);
    return edit.build();
  }

  /** A copy being changed by a wither: the one place besides the record header that lists every setting. */
  private static final class Edit {
    String host;
    int port;
    int instances;
    int maxRequestLineBytes;
    int maxBodyBytes;
    String modelsFile;
    Long headerTimeoutMs;
    Long bodyTimeoutMs;
    Long keepAliveTimeoutMs;
    Long modelsRefreshMs;
    Integer warmupStreams;
    Boolean vertxHttpMetrics;

    Edit(HttpConfig h) {
      host = h.host;
      port = h.port;
      instances = h.instances;
      maxRequestLineBytes = h.maxRequestLineBytes;
      maxBodyBytes = h.maxBodyBytes;
      modelsFile = h.modelsFile;
      headerTimeoutMs = h.headerTimeoutMs;
      bodyTimeoutMs = h.bodyTimeoutMs;
      keepAliveTimeoutMs = h.keepAliveTimeoutMs;
      modelsRefreshMs = h.modelsRefreshMs;
      warmupStreams = h.warmupStreams;
      vertxHttpMetrics = h.vertxHttpMetrics;
    }

    HttpConfig build() {
      return new HttpConfig(host, port, instances, maxRequestLineBytes, maxBodyBytes, modelsFile, headerTimeoutMs,
        bodyTimeoutMs, keepAliveTimeoutMs, modelsRefreshMs, warmupStreams, vertxHttpMetrics);
    }
  }

  // Boxed, so a configuration written before these settings existed still loads: Jackson refuses an
  // absent primitive here (the loader enables FAIL_ON_NULL_FOR_PRIMITIVES), but gives an absent Long null.
  static Long positiveOr(Long value, long fallback) {
    return value == null || value <= 0 ? fallback : value;
  }
}
