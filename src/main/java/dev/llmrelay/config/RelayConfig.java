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
