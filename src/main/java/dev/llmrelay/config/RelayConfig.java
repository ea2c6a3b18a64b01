package dev.llmrelay.config;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * The relay's whole configuration, read once at start-up ({@link ConfigLoader}) and handed to each
 * verticle as the slice it needs.
 */
@JsonIgnoreProperties(ignoreUnknown = false)
public record RelayConfig(Http http, Upstream upstream, Breaker breaker, Streams stream, Deployment deployment) {

  /** The client-facing HTTP server. */
  public record Http(String host, int port, int instances, int maxRequestLineBytes, int maxBodyBytes,
                     String modelsFile) {
    public Http withPort(int newPort) {
      return new Http(host, newPort, instances, maxRequestLineBytes, maxBodyBytes, modelsFile);
    }

    public Http withHost(String newHost) {
      return new Http(newHost, port, instances, maxRequestLineBytes, maxBodyBytes, modelsFile);
    }
  }

  /**
   * The OpenAI-compatible upstream and the timeouts of one call to it. {@code apiKey} comes from the
   * environment only and is never printed ({@link #toString()} masks it).
   */
  public record Upstream(String url, String apiKey, String referer, String title, int instances, int poolSize,
                         long connectTimeoutMs, long firstByteTimeoutMs, long firstTokenTimeoutMs,
                         long idleTimeoutMs, long totalTimeoutMs, boolean simulated) {
    public Upstream withUrl(String newUrl, boolean isSimulated) {
      return new Upstream(newUrl, apiKey, referer, title, instances, poolSize, connectTimeoutMs, firstByteTimeoutMs,
        firstTokenTimeoutMs, idleTimeoutMs, totalTimeoutMs, isSimulated);
    }

    public Upstream withApiKey(String key) {
      return new Upstream(url, key, referer, title, instances, poolSize, connectTimeoutMs, firstByteTimeoutMs,
        firstTokenTimeoutMs, idleTimeoutMs, totalTimeoutMs, simulated);
    }

    @Override
    public String toString() {
      return "Upstream[url=" + url + ", apiKey=" + (apiKey == null ? "none" : "***") + ", instances=" + instances
        + ", simulated=" + simulated + "]";
    }
  }

  /**
   * The circuit breaker and retry policy around opening the upstream stream. Retries back off
   * exponentially with full jitter between {@code initialDelayMs} and {@code maxDelayMs}, and stop
   * when the next try would start after {@code deadlineMs} from the first.
   */
  public record Breaker(int maxFailures, long failureWindowMs, long resetTimeoutMs, int maxRetries,
                        long initialDelayMs, long maxDelayMs, long deadlineMs) {
  }

  /**
   * The stream protocol between router and provider: the credit window, the keep-alive comment
   * interval towards clients, the provider heartbeat and the router's watchdog for silent providers.
   */
  public record Streams(int creditWindow, long keepAliveMs, long heartbeatMs, long watchdogMs, long tickMs,
                        String defaultModel) {
  }

  /**
   * How the verticles are laid out: {@code mode} {@code standalone} (one JVM, local event bus) or
   * {@code cluster}; {@code role} {@code all}, or in a cluster {@code edge} (routers only) or
   * {@code provider} (providers only). {@code cluster} holds the cluster's network settings.
   */
  public record Deployment(String mode, String role, Cluster cluster) {
    public boolean clustered() {
      return "cluster".equals(mode);
    }

    public boolean runsRouters() {
      return !"provider".equals(role);
    }

    public boolean runsProviders() {
      return !"edge".equals(role);
    }
  }

  /**
   * A cluster node's network settings, substituted into the Hazelcast file {@code configFile}.
   *
   * @param name the cluster name; nodes only join a cluster of the same name
   * @param host the address this node binds and advertises, for Hazelcast and the event bus
   * @param port the first Hazelcast member port; the next free one of {@code portCount} is taken
   * @param members the well-known members, {@code host:port}, to discover the cluster through
   * @param busPort the event bus port (0: any free one)
   */
  public record Cluster(String name, String host, int port, int portCount, java.util.List<String> members,
                        int busPort, String configFile) {
  }

  public RelayConfig withHttp(Http newHttp) {
    return new RelayConfig(newHttp, upstream, breaker, stream, deployment);
  }

  public RelayConfig withUpstream(Upstream newUpstream) {
    return new RelayConfig(http, newUpstream, breaker, stream, deployment);
  }

  public RelayConfig withBreaker(Breaker newBreaker) {
    return new RelayConfig(http, upstream, newBreaker, stream, deployment);
  }

  public RelayConfig withStream(Streams newStream) {
    return new RelayConfig(http, upstream, breaker, newStream, deployment);
  }

  public RelayConfig withDeployment(Deployment newDeployment) {
    return new RelayConfig(http, upstream, breaker, stream, newDeployment);
  }
}
