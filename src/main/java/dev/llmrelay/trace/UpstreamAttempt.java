package dev.llmrelay.trace;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.vertx.core.http.HttpClientRequest;

import java.net.URI;

/**
 * The spans of one attempt at opening an upstream stream, on the provider: {@code relay.upstream.attempt}
 * (under the router's bus hop, named by the open request's {@code traceparent}) from the attempt's start to
 * the upstream's response head or failure, and under it the HTTP request ({@code POST}, a client span),
 * whose {@code traceparent} goes to the upstream. A 2xx request's span is handed to the stream, which ends
 * it when the upstream body is done; a retried attempt records its backoff as a {@code retry} event.
 */
public final class UpstreamAttempt {

  private static final UpstreamAttempt OFF = new UpstreamAttempt(Tracing.OFF, Span.getInvalid());

  private static final AttributeKey<Long> ATTEMPT = AttributeKey.longKey("relay.upstream.attempt");
  private static final AttributeKey<String> MODEL = AttributeKey.stringKey("gen_ai.request.model");
  private static final AttributeKey<Long> BACKOFF_MS = AttributeKey.longKey("relay.retry.backoff_ms");
  private static final AttributeKey<String> METHOD = AttributeKey.stringKey("http.request.method");
  private static final AttributeKey<String> SERVER_ADDRESS = AttributeKey.stringKey("server.address");
  private static final AttributeKey<Long> SERVER_PORT = AttributeKey.longKey("server.port");

  private final Tracing tracing;
  private final Span span;
  private Span request = Span.getInvalid();
  private boolean handedOver;

  private UpstreamAttempt(Tracing tracing, Span span) {
    this.tracing = tracing;
    this.span = span;
  }

  /** Starts attempt {@code number} (from 1) under {@code traceparent} (null: a new trace). */
  public static UpstreamAttempt start(Tracing tracing, String traceparent, int number, String model) {
    if (!tracing.enabled()) {
      return OFF;
    }
    Span span = tracing.start("relay.upstream.attempt", SpanKind.INTERNAL, traceparent);
    span.setAttribute(ATTEMPT, number);
    if (model != null) {
      span.setAttribute(MODEL, model);
    }
    return new UpstreamAttempt(tracing, span);
  }

  /** The HTTP request of this attempt is about to be sent: its span starts and its traceparent goes along. */
  public void sending(HttpClientRequest http) {
    if (!tracing.enabled()) {
      return;
    }
    String method = http.getMethod().name();
    request = tracing.start(method, SpanKind.CLIENT, span);
    request.setAttribute(METHOD, method);
    // Host and port only: the full URL could carry credentials.
    URI uri = URI.create(http.absoluteURI());
    request.setAttribute(SERVER_ADDRESS, uri.getHost());
    if (uri.getPort() > 0) {
      request.setAttribute(SERVER_PORT, uri.getPort());
    }
    String traceparent = Tracing.traceparent(request);
    if (traceparent != null) {
      http.putHeader(Tracing.TRACEPARENT, traceparent);
    }
  }

  /** The upstream's response head arrived with {@code status}. */
  public void status(int status) {
    span.setAttribute(Tracing.HTTP_STATUS, status);
    request.setAttribute(Tracing.HTTP_STATUS, status);
  }

  /** The request's span, for the stream to end when the upstream body is done; this attempt no longer ends it. */
  public Span handOver() {
    if (tracing.enabled()) {
      handedOver = true;
    }
    return request;
  }

  /**
   * Ends the attempt (and its request, unless handed over).
   *
   * @param errorType the relay's error type of a failed attempt, or null
   * @param backoffMs the wait before the next attempt, or -1 when there is none
   */
  public void end(String errorType, long backoffMs) {
    if (!tracing.enabled()) {
      return;
    }
    if (backoffMs >= 0) {
      span.setAttribute(BACKOFF_MS, backoffMs);
      span.addEvent("retry", Attributes.of(BACKOFF_MS, backoffMs));
    }
    if (!handedOver) {
      Tracing.end(request, errorType);
    }
    Tracing.end(span, errorType);
  }
}
