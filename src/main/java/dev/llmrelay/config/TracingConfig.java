package dev.llmrelay.config;

/**
 * OpenTelemetry traces ({@link dev.llmrelay.trace.Tracing}): off unless {@code enabled}. On, spans go by
 * OTLP/HTTP to {@code endpoint} (the collector's base URL; {@code /v1/traces} is appended, as for the
 * standard {@code OTEL_EXPORTER_OTLP_ENDPOINT}) as service {@code serviceName}; of the traces the relay
 * starts, {@code sampleRatio} are kept (a client's {@code traceparent} decides for its own trace).
 */
public record TracingConfig(boolean enabled, String endpoint, String serviceName, Double sampleRatio) {

  public static final TracingConfig OFF = new TracingConfig(false, null, null, null);
  public static final String DEFAULT_ENDPOINT = "http://localhost:4318";
  public static final String DEFAULT_SERVICE_NAME = "llm-relay";

  public TracingConfig {
    endpoint = endpoint == null || endpoint.isBlank() ? DEFAULT_ENDPOINT : endpoint;
    serviceName = serviceName == null || serviceName.isBlank() ? DEFAULT_SERVICE_NAME : serviceName;
    sampleRatio = sampleRatio == null ? 1.0 : sampleRatio;
    if (sampleRatio.isNaN() || sampleRatio < 0 || sampleRatio > 1) {
      throw new IllegalArgumentException("tracing.sampleRatio must be between 0 and 1, not " + sampleRatio);
    }
  }

  /** Where the spans are posted: the endpoint's {@code /v1/traces}. */
  public String tracesUrl() {
    return (endpoint.endsWith("/") ? endpoint.substring(0, endpoint.length() - 1) : endpoint) + "/v1/traces";
  }

  /** On, sending to {@code url} (a collector's base URL). */
  public TracingConfig withEndpoint(String url) {
    return new TracingConfig(true, url, serviceName, sampleRatio);
  }

  public TracingConfig withServiceName(String name) {
    return new TracingConfig(enabled, endpoint, name, sampleRatio);
  }

  public TracingConfig withEnabled(boolean on) {
    return new TracingConfig(on, endpoint, serviceName, sampleRatio);
  }
}
