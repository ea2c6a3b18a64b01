package dev.llmrelay.edge;

import dev.llmrelay.bus.UsageFigures;
import dev.llmrelay.error.RelayError;
import dev.llmrelay.trace.StreamSpan;

/**
 * What the edge sees of one completion stream, fed by the router's sink: it times the first token and
 * the gaps between tokens, counts and charges tokens as they arrive, settles them and the stream's cost
 * from the final usage, and when the response is over records the stream in the metrics and writes its
 * access-log line. Lives on the router's event loop.
 *
 * <p>The cost is the upstream's {@code usage.cost} (OpenRouter reports it in US dollars), else the
 * catalog's prices times the usage's tokens; a stream that ends without usage (an error, a client that
 * left) is charged its deltas at the catalog's completion price, since the upstream bills what it generated.
 */
public final class StreamObservation {

  /** Where a stream's cost came from, for the access log. */
  private static final String UPSTREAM = "upstream";
  private static final String CATALOG = "catalog";
  private static final String DELTAS = "deltas";

  private final Edge edge;
  private final EdgeRequest request;
  private final String endpoint;
  private final String requestedModel;
  private final long startNanos;
  private final StreamSpan trace;
  private String model;
  private UsageMetrics.ModelMeters meters;
  private long firstTokenNanos = -1;
  private long lastTokenNanos = -1;
  private long deltas;
  private long charged;
  private long promptTokens;
  private long completionTokens = -1;
  private long costNanos = -1;
  private String costSource;
  private String outcome;
  private String errorType;
  private String finishReason;
  private boolean closed;

  StreamObservation(Edge edge, EdgeRequest request, String endpoint, String model, StreamSpan trace) {
    this.edge = edge;
    this.request = request;
    this.endpoint = endpoint;
    this.trace = trace;
    this.model = model;
    this.requestedModel = model;
    this.startNanos = request.startNanos();
  }

  public void delta(String reportedModel) {
    long now = System.nanoTime();
    if (reportedModel != null) {
      model = reportedModel;
    }
    if (firstTokenNanos < 0) {
      firstTokenNanos = now;
      edge.metrics().firstToken(now - startNanos);
      UsageMetrics.record(meters().ttft, now - startNanos);
    } else {
      UsageMetrics.record(meters.gap, now - lastTokenNanos);
    }
    lastTokenNanos = now;
    deltas++;
    charge(1);
  }

  /**
   * The stream is complete: settles its tokens and cost from the upstream's usage.
   *
   * @return the usage to show the client: the upstream's, with the cost in US dollars added where the
   *         upstream reported none and the catalog prices the model (unchanged otherwise)
   */
  public String end(String reportedModel, String reason, String usageJson) {
    outcome = "done";
    finishReason = reason;
    if (reportedModel != null) {
      model = reportedModel;
    }
    UsageFigures usage = UsageFigures.read(usageJson);
    if (usage == null) {
      // None, or an odd usage object: it must not break the stream's bookkeeping; the deltas were charged.
      return usageJson;
    }
    promptTokens = usage.promptTokens() == null ? 0 : usage.promptTokens();
    completionTokens = usage.completionTokens() == null ? deltas : usage.completionTokens();
    charge((usage.totalTokens() == null ? promptTokens + completionTokens : usage.totalTokens()) - charged);
    if (usage.cost() != null) {
      spend(Quota.nanos(usage.cost().doubleValue()), UPSTREAM);
      return usageJson;
    }
    PriceList.Price price = price();
    if (price != null) {
      spend(price.nanos(promptTokens, completionTokens), CATALOG);
      return UsageFigures.withCost(usageJson, Quota.usd(costNanos));
    }
    return usageJson;
  }

  /** The stream's span: the bus hops to its provider hang under it. */
  public StreamSpan trace() {
    return trace;
  }

  public void error(RelayError error) {
    outcome = "error";
    errorType = error.type().wireName();
  }

  /** The response is over (ended, failed or its connection closed). */
  void close(int status) {
    if (closed) {
      return;
    }
    closed = true;
    long durationNanos = System.nanoTime() - startNanos;
    String finalOutcome = outcome == null ? "cancelled" : outcome;
    long completion = completionTokens >= 0 ? completionTokens : deltas;
    if (costNanos < 0 && deltas > 0 && price() != null) {
      spend(price().nanos(0, deltas), DELTAS);
    }
    edge.metrics().streamClosed(finalOutcome, errorType, durationNanos, promptTokens, completion);
    UsageMetrics.ModelMeters m = meters();
    UsageMetrics.record(m.duration, durationNanos);
    if (firstTokenNanos >= 0 && lastTokenNanos > firstTokenNanos && completion > 1) {
      m.tokensPerSecond.record(completion * 1e9 / (lastTokenNanos - firstTokenNanos));
    }
    UsageMetrics.KeyMeters key = edge.usageMetrics().key(request.client().id());
    key.stream(finalOutcome, promptTokens, completion);
    if (costNanos >= 0) {
      key.cost(m.label, Quota.usd(costNanos));
    }
    long ttftMs = firstTokenNanos < 0 ? -1 : (firstTokenNanos - startNanos) / 1_000_000;
    trace.end(model, ttftMs, promptTokens, completion, finishReason, costNanos < 0 ? -1 : Quota.usd(costNanos),
      finalOutcome, errorType);
    edge.accessLog().stream(new AccessLog.Line()
      .put("type", "stream")
      .put("requestId", request.id())
      .put("endpoint", endpoint)
      .put("status", status)
      .put("client", request.client().id())
      .put("model", model)
      .put("outcome", finalOutcome)
      .put("errorType", errorType)
      .put("finishReason", finishReason)
      .put("ttftMs", ttftMs < 0 ? null : ttftMs)
      .put("durationMs", durationNanos / 1_000_000)
      .put("promptTokens", promptTokens)
      .put("completionTokens", completion)
      .put("costUsd", costNanos < 0 ? null : Quota.usd(costNanos))
      .put("costSource", costSource));
  }

  private UsageMetrics.ModelMeters meters() {
    if (meters == null) {
      meters = edge.usageMetrics().model(model, requestedModel);
    }
    return meters;
  }

  private PriceList.Price price() {
    PriceList.Price price = edge.prices().price(model);
    return price != null ? price : edge.prices().price(requestedModel);
  }

  private void charge(long tokens) {
    if (tokens > 0) {
      charged += tokens;
      edge.limiter().charge(request.client(), tokens, 0);
    }
  }

  private void spend(long nanos, String source) {
    costNanos = Math.max(0, nanos);
    costSource = source;
    edge.limiter().charge(request.client(), 0, costNanos);
  }
}
