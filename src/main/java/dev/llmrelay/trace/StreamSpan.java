package dev.llmrelay.trace;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.vertx.ext.web.RoutingContext;

import java.util.List;

/**
 * The {@code relay.stream} span: one completion stream's life on the router, from the request that opens
 * it to the end of its response, under the request's span. Its attributes are set once, at the end, from
 * what the edge observed (model, time to first token, tokens, outcome); nothing happens per token. The
 * bus hops to a provider ({@code relay.bus.open}) hang under it.
 */
public final class StreamSpan {

  /** Tracing off: no span, nothing recorded. */
  public static final StreamSpan OFF = new StreamSpan(Tracing.OFF, Span.getInvalid());

  private static final AttributeKey<String> ENDPOINT = AttributeKey.stringKey("relay.endpoint");
  private static final AttributeKey<String> REQUEST_MODEL = AttributeKey.stringKey("gen_ai.request.model");
  private static final AttributeKey<String> RESPONSE_MODEL = AttributeKey.stringKey("gen_ai.response.model");
  private static final AttributeKey<Long> TTFT_MS = AttributeKey.longKey("relay.ttft_ms");
  private static final AttributeKey<Long> INPUT_TOKENS = AttributeKey.longKey("gen_ai.usage.input_tokens");
  private static final AttributeKey<Long> OUTPUT_TOKENS = AttributeKey.longKey("gen_ai.usage.output_tokens");
  private static final AttributeKey<List<String>> FINISH_REASONS =
    AttributeKey.stringArrayKey("gen_ai.response.finish_reasons");
  private static final AttributeKey<String> OUTCOME = AttributeKey.stringKey("relay.outcome");
  private static final AttributeKey<Double> COST_USD = AttributeKey.doubleKey("relay.cost_usd");
  private static final AttributeKey<String> STREAM_ID = AttributeKey.stringKey("relay.stream_id");
  private static final AttributeKey<Long> OPEN_ATTEMPT = AttributeKey.longKey("relay.bus.attempt");

  private final Tracing tracing;
  private final Span span;

  private StreamSpan(Tracing tracing, Span span) {
    this.tracing = tracing;
    this.span = span;
  }

  /** Starts the span of the stream this request opens; {@link #OFF} when tracing is off. */
  public static StreamSpan start(Tracing tracing, RoutingContext ctx, String endpoint, String model) {
    if (!tracing.enabled()) {
      return OFF;
    }
    Span span = tracing.start("relay.stream", SpanKind.INTERNAL, RequestSpan.of(ctx));
    span.setAttribute(ENDPOINT, endpoint);
    if (model != null) {
      span.setAttribute(REQUEST_MODEL, model);
    }
    return new StreamSpan(tracing, span);
  }

  /**
   * Starts the span of one open request to a provider ({@code attempt} counts from 1: a request no
   * provider took is sent again). End it with {@link Tracing#end} when the provider answers; its
   * {@link Tracing#traceparent} goes along, so the provider's spans hang under it.
   */
  public Span busOpen(String streamId, int attempt) {
    if (!tracing.enabled()) {
      return Span.getInvalid();
    }
    Span hop = tracing.start("relay.bus.open", SpanKind.PRODUCER, span);
    hop.setAttribute(STREAM_ID, streamId);
    hop.setAttribute(OPEN_ATTEMPT, attempt);
    return hop;
  }

  /**
   * Ends the span with what the edge observed.
   *
   * @param ttftMs  time to the first token, or -1 when none came
   * @param costUsd the stream's cost, or a negative number when unknown
   */
  public void end(String model, long ttftMs, long promptTokens, long completionTokens, String finishReason,
                  double costUsd, String outcome, String errorType) {
    if (!tracing.enabled()) {
      return;
    }
    if (model != null) {
      span.setAttribute(RESPONSE_MODEL, model);
    }
    if (ttftMs >= 0) {
      span.setAttribute(TTFT_MS, ttftMs);
    }
    span.setAttribute(INPUT_TOKENS, promptTokens);
    span.setAttribute(OUTPUT_TOKENS, completionTokens);
    if (finishReason != null) {
      span.setAttribute(FINISH_REASONS, List.of(finishReason));
    }
    if (costUsd >= 0) {
      span.setAttribute(COST_USD, costUsd);
    }
    span.setAttribute(OUTCOME, outcome);
    Tracing.end(span, errorType);
  }
}
