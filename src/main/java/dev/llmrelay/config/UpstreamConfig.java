package dev.llmrelay.config;

import java.util.function.Consumer;

/**
 * The OpenAI-compatible upstream and the timeouts of one call to it. {@code apiKey} comes from the
 * environment only and is never printed ({@link #toString()} masks it).
 *
 * <p>{@code http2} picks the upstream protocol: {@code auto} (HTTP/2 where TLS negotiates it by ALPN,
 * as OpenRouter does, else HTTP/1.1), {@code on} (also HTTP/2 over cleartext, h2c with prior
 * knowledge, for an {@code http://} upstream that speaks it, such as the simulator) or {@code off}
 * (HTTP/1.1 always).
 *
 * <p>{@code maxStreams} is the admission limit: upstream streams this process holds at once; a stream
 * beyond it is refused at once with {@code overloaded}. 0 sizes it from the open-files limit
 * ({@link dev.llmrelay.upstream.Admission#defaultLimit}). {@code poolSize} (HTTP/1.1 keep-alive connections, one per open
 * stream) and {@code http2PoolSize} (HTTP/2 connections, each carrying up to the upstream's
 * concurrent-stream limit) are per provider instance; 0 (the default) derives them from the admission
 * limit, so a stream that was admitted never waits for a connection.
 */
public record UpstreamConfig(String url, String apiKey, String referer, String title, int instances, int poolSize,
                             long connectTimeoutMs, long firstByteTimeoutMs, long firstTokenTimeoutMs,
                             long idleTimeoutMs, long totalTimeoutMs, boolean simulated, String http2,
                             int http2PoolSize, int maxStreams) {

  public static final String HTTP2_AUTO = "auto";
  /** Streams one HTTP/2 connection is assumed to carry when sizing the pool (OpenRouter's and most servers' limit is 100 or more). */
  static final int STREAMS_PER_HTTP2_CONNECTION = 100;

  public UpstreamConfig {
    instances = RelayConfig.instancesOrCores(instances, "upstream.instances");
    http2 = http2 == null ? HTTP2_AUTO : http2;
    if (!http2.equals(HTTP2_AUTO) && !http2.equals("on") && !http2.equals("off")) {
      throw new IllegalArgumentException("upstream.http2 must be auto, on or off, not " + http2);
    }
    if (maxStreams < 0 || poolSize < 0 || http2PoolSize < 0) {
      throw new IllegalArgumentException("upstream.maxStreams, poolSize and http2PoolSize must be 0 (automatic) or more");
    }
  }

  public UpstreamConfig withUrl(String value, boolean isSimulated) {
    return with(e -> {
      e.url = value;
      e.simulated = isSimulated;
    });
  }

  public UpstreamConfig withApiKey(String value) {
    return with(e -> e.apiKey = value);
  }

  /** Provider verticle instances; 0: one per CPU core. */
  public UpstreamConfig withInstances(int value) {
    return with(e -> e.instances = value);
  }

  /** The protocol setting ({@code auto}, {@code on}, {@code off}). */
  public UpstreamConfig withHttp2(String mode) {
    return with(e -> e.http2 = mode);
  }

  /** The pool sizes; 0 for either derives it from the admission limit. */
  public UpstreamConfig withPools(int http1, int http2Connections) {
    return with(e -> {
      e.poolSize = http1;
      e.http2PoolSize = http2Connections;
    });
  }

  public UpstreamConfig withMaxStreams(int limit) {
    return with(e -> e.maxStreams = limit);
  }

  public UpstreamConfig withConnectTimeoutMs(long value) {
    return with(e -> e.connectTimeoutMs = value);
  }

  /** The per-stream timeouts: to the response head, to the first token, between tokens, and in all. */
  public UpstreamConfig withTimeouts(long firstByte, long firstToken, long idle, long total) {
    return with(e -> {
      e.firstByteTimeoutMs = firstByte;
      e.firstTokenTimeoutMs = firstToken;
      e.idleTimeoutMs = idle;
      e.totalTimeoutMs = total;
    });
  }

  private UpstreamConfig with(Consumer<Edit> change) {
    Edit edit = new Edit(this);
    change.accept(edit);
    return edit.build();
  }

  /** A copy being changed by a wither: the one place besides the record header that lists every setting. */
  private static final class Edit {
    String url;
    String apiKey;
    String referer;
    String title;
    int instances;
    int poolSize;
    long connectTimeoutMs;
    long firstByteTimeoutMs;
    long firstTokenTimeoutMs;
    long idleTimeoutMs;
    long totalTimeoutMs;
    boolean simulated;
    String http2;
    int http2PoolSize;
    int maxStreams;

    Edit(UpstreamConfig u) {
      url = u.url;
      apiKey = u.apiKey;
      referer = u.referer;
      title = u.title;
      instances = u.instances;
      poolSize = u.poolSize;
      connectTimeoutMs = u.connectTimeoutMs;
      firstByteTimeoutMs = u.firstByteTimeoutMs;
      firstTokenTimeoutMs = u.firstTokenTimeoutMs;
      idleTimeoutMs = u.idleTimeoutMs;
      totalTimeoutMs = u.totalTimeoutMs;
      simulated = u.simulated;
      http2 = u.http2;
      http2PoolSize = u.http2PoolSize;
      maxStreams = u.maxStreams;
    }

    UpstreamConfig build() {
      return new UpstreamConfig(url, apiKey, referer, title, instances, poolSize, connectTimeoutMs, firstByteTimeoutMs,
        firstTokenTimeoutMs, idleTimeoutMs, totalTimeoutMs, simulated, http2, http2PoolSize, maxStreams);
    }
  }

  /** Whether to speak HTTP/2 to this upstream: always when on, by ALPN over TLS when auto. */
  public boolean prefersHttp2() {
    return http2.equals("on") || (http2.equals(HTTP2_AUTO) && url != null && url.startsWith("https:"));
  }

  /** HTTP/1.1 connections per provider instance: as configured, else one per stream the process admits. */
  public int http1Pool(int admitted) {
    return poolSize > 0 ? poolSize : admitted;
  }

  /** HTTP/2 connections per provider instance: as configured, else enough for every admitted stream. */
  public int http2Pool(int admitted) {
    return http2PoolSize > 0 ? http2PoolSize
      : Math.max(1, (admitted + STREAMS_PER_HTTP2_CONNECTION - 1) / STREAMS_PER_HTTP2_CONNECTION);
  }

  @Override
  public String toString() {
    return "Upstream[url=" + url + ", apiKey=" + (apiKey == null ? "none" : "***") + ", instances=" + instances
      + ", simulated=" + simulated + ", http2=" + http2 + ", maxStreams=" + maxStreams + "]";
  }
}
