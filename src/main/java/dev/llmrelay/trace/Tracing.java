package dev.llmrelay.trace;

import dev.llmrelay.config.TracingConfig;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.samplers.Sampler;

import java.util.Collections;

/**
 * The relay's OpenTelemetry traces: one tracer per process, shared by routers and providers. Off
 * ({@link #OFF}), every {@code start} method hands back {@link Span#getInvalid()}, a no-op constant: no span
 * is made, nothing is recorded or sent. On, spans go through a batch processor to an OTLP/HTTP collector.
 *
 * <p>The spans are made here, not by Vert.x's own tracer (vertx-opentelemetry): that one, once installed,
 * is asked about every event-bus message (it allocates a header map per delivered message and a header
 * setter per sent one), and the bus carries one message per token. The relay's spans are made once per
 * request, stream, bus hop and upstream attempt, never per token; the trace context crosses the bus in
 * {@link dev.llmrelay.bus.OpenRequest#traceparent()} (W3C format), so it reaches a provider on another node.
 *
 * <p>No attribute carries a prompt, an answer, a key, a token or a header value: only names of models and
 * endpoints, counts, timings, statuses and error types.
 */
public final class Tracing {

  /** Tracing off: no span is ever made. */
  public static final Tracing OFF = new Tracing(null, null);

  public static final String TRACEPARENT = "traceparent";
  static final AttributeKey<String> ERROR_TYPE = AttributeKey.stringKey("error.type");
  static final AttributeKey<Long> HTTP_STATUS = AttributeKey.longKey("http.response.status_code");

  private static final W3CTraceContextPropagator W3C = W3CTraceContextPropagator.getInstance();
  private static final TextMapGetter<String> TRACEPARENT_ONLY = new TextMapGetter<>() {
    @Override
    public Iterable<String> keys(String carrier) {
      return Collections.singletonList(TRACEPARENT);
    }

    @Override
    public String get(String carrier, String key) {
      return TRACEPARENT.equals(key) ? carrier : null;
    }
  };

  private final Tracer tracer;
  /** The SDK this class built and must flush and close; null when it was handed one (tests) or is off. */
  private final OpenTelemetrySdk owned;

  private Tracing(Tracer tracer, OpenTelemetrySdk owned) {
    this.tracer = tracer;
    this.owned = owned;
  }

  /** Spans through {@code openTelemetry}, which the caller closes (tests hand in an in-memory exporter). */
  public static Tracing of(OpenTelemetry openTelemetry) {
    return new Tracing(openTelemetry.getTracer("dev.llmrelay"), null);
  }

  /** As configured: {@link #OFF} unless enabled, else an SDK exporting by OTLP/HTTP; {@link #close} flushes it. */
  public static Tracing from(TracingConfig config) {
    if (config == null || !config.enabled()) {
      return OFF;
    }
    OtlpHttpSpanExporter exporter = OtlpHttpSpanExporter.builder().setEndpoint(config.tracesUrl()).build();
    SdkTracerProvider provider = SdkTracerProvider.builder()
      .setResource(Resource.getDefault().merge(Resource.create(
        Attributes.of(AttributeKey.stringKey("service.name"), config.serviceName()))))
      // A client's traceparent decides for its trace; the ratio applies to the traces the relay starts.
      .setSampler(Sampler.parentBased(Sampler.traceIdRatioBased(config.sampleRatio())))
      .addSpanProcessor(BatchSpanProcessor.builder(exporter).build())
      .build();
    OpenTelemetrySdk sdk = OpenTelemetrySdk.builder().setTracerProvider(provider).build();
    return new Tracing(sdk.getTracer("dev.llmrelay"), sdk);
  }

  public boolean enabled() {
    return tracer != null;
  }

  /**
   * A span of {@code kind} under {@code parent}; a root span when the parent is invalid (not traced).
   * The invalid span when tracing is off.
   */
  Span start(String name, SpanKind kind, Span parent) {
    if (tracer == null) {
      return Span.getInvalid();
    }
    var builder = tracer.spanBuilder(name).setSpanKind(kind);
    if (parent.getSpanContext().isValid()) {
      builder.setParent(Context.root().with(parent));
    } else {
      builder.setNoParent();
    }
    return builder.startSpan();
  }

  /** A span of {@code kind} under the W3C {@code traceparent} (a root span when it is null or malformed). */
  Span start(String name, SpanKind kind, String traceparent) {
    if (tracer == null) {
      return Span.getInvalid();
    }
    return start(name, kind, parent(traceparent));
  }

  /** The span a W3C {@code traceparent} names, as a remote parent; the invalid span when there is none. */
  static Span parent(String traceparent) {
    if (traceparent == null) {
      return Span.getInvalid();
    }
    return Span.fromContext(W3C.extract(Context.root(), traceparent, TRACEPARENT_ONLY));
  }

  /** {@code span} as a W3C {@code traceparent} value, or null when it is not traced. */
  public static String traceparent(Span span) {
    if (!span.getSpanContext().isValid()) {
      return null;
    }
    String[] value = new String[1];
    W3C.inject(Context.root().with(span), value, (carrier, key, v) -> {
      if (TRACEPARENT.equals(key)) {
        carrier[0] = v;
      }
    });
    return value[0];
  }

  /** Ends {@code span}: as failed with the relay's error type, unless that is null. */
  public static void end(Span span, String errorType) {
    if (errorType != null) {
      span.setAttribute(ERROR_TYPE, errorType);
      span.setStatus(StatusCode.ERROR);
    }
    span.end();
  }

  /** Sends what is still buffered and stops the exporter, if this instance built it. */
  public void close() {
    if (owned != null) {
      owned.close();
    }
  }
}
