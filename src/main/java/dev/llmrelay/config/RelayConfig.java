package dev.llmrelay.config;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * The relay's whole configuration, read once at start-up ({@link ConfigLoader}) and handed to each
 * verticle as the slice it needs.
 */
@JsonIgnoreProperties(ignoreUnknown = false)
public record RelayConfig(HttpConfig http, UpstreamConfig upstream, BreakerConfig breaker, StreamConfig stream,
                          DeploymentConfig deployment, SecurityConfig security, TracingConfig tracing) {

  public RelayConfig {
    tracing = tracing == null ? TracingConfig.OFF : tracing;
  }

  /**
   * The event loops this process runs: as many as the router or provider instances it deploys, whichever
   * is more. Vert.x hands each new verticle instance the next loop in turn, so with as many loops as
   * instances every router shares its loop with a provider: a stream's bus hops and its two connections
   * stay on one thread, and no loop sits idle (Vert.x's own default is two loops per core).
   */
  public int eventLoops() {
    int routers = deployment == null || deployment.runsRouters() ? http.instances() : 1;
    int providers = deployment == null || deployment.runsProviders() ? upstream.instances() : 1;
    return Math.max(routers, providers);
  }

  /** An {@code instances} setting: 0 means one per CPU core the JVM may use (its CPU affinity or container limit). */
  static int instancesOrCores(int instances, String setting) {
    if (instances < 0) {
      throw new IllegalArgumentException(setting + " must be 0 (one per CPU core) or more, not " + instances);
    }
    return instances == 0 ? Runtime.getRuntime().availableProcessors() : instances;
  }

  public RelayConfig withHttp(HttpConfig newHttp) {
    return new RelayConfig(newHttp, upstream, breaker, stream, deployment, security, tracing);
  }

  public RelayConfig withUpstream(UpstreamConfig newUpstream) {
    return new RelayConfig(http, newUpstream, breaker, stream, deployment, security, tracing);
  }

  public RelayConfig withBreaker(BreakerConfig newBreaker) {
    return new RelayConfig(http, upstream, newBreaker, stream, deployment, security, tracing);
  }

  public RelayConfig withStream(StreamConfig newStream) {
    return new RelayConfig(http, upstream, breaker, newStream, deployment, security, tracing);
  }

  public RelayConfig withSecurity(SecurityConfig newSecurity) {
    return new RelayConfig(http, upstream, breaker, stream, deployment, newSecurity, tracing);
  }

  public RelayConfig withDeployment(DeploymentConfig newDeployment) {
    return new RelayConfig(http, upstream, breaker, stream, newDeployment, security, tracing);
  }

  public RelayConfig withTracing(TracingConfig newTracing) {
    return new RelayConfig(http, upstream, breaker, stream, deployment, security, newTracing);
  }
}
