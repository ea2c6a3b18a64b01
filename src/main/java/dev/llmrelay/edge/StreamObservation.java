package dev.llmrelay.edge;

import dev.llmrelay.error.RelayError;
import io.vertx.core.json.JsonObject;

/**
 * What the edge sees of one completion stream, fed by the router's sink: it times the first token,
 * counts and charges tokens as they arrive, settles them from the final usage, and when the response
 * is over records the stream in the metrics and writes its access-log line. Lives on the router's
 * event loop.
 */
public final class StreamObservation {

  private final Edge edge;
  private final EdgeRequest request;
  private final String endpoint;
  private final long startNanos;
  private String model;
  private long firstTokenNanos = -1;
  private long deltas;
  private long charged;
  private long promptTokens;
  private long completionTokens = -1;
  private String outcome;
  private String errorType;
  private String finishReason;
  private boolean closed;

  StreamObservation(Edge edge, EdgeRequest request, String endpoint, String model) {
    this.edge = edge;
    this.request = request;
    this.endpoint = endpoint;
    this.model = model;
    this.startNanos = request.startNanos();
  }

  public void delta(String reportedModel) {
    if (firstTokenNanos < 0) {
      firstTokenNanos = System.nanoTime();
      edge.metrics().firstToken(firstTokenNanos - startNanos);
    }
    if (reportedModel != null) {
      model = reportedModel;
    }
    deltas++;
    charge(1);
  }

  public void end(String reportedModel, String reason, String usageJson) {
    outcome = "done";
    finishReason = reason;
    if (reportedModel != null) {
      model = reportedModel;
    }
    if (usageJson != null) {
      try {
        JsonObject usage = new JsonObject(usageJson);
        promptTokens = usage.getLong("prompt_tokens", 0L);
        completionTokens = usage.getLong("completion_tokens", deltas);
        charge(usage.getLong("total_tokens", promptTokens + completionTokens) - charged);
      } catch (RuntimeException notUsage) {
        // An odd usage object must not break the stream's bookkeeping; the deltas were charged.
      }
    }
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
    edge.metrics().streamClosed(finalOutcome, errorType, durationNanos, promptTokens, completion);
    edge.accessLog().stream(new JsonObject()
      .put("type", "stream")
      .put("requestId", request.id())
      .put("endpoint", endpoint)
      .put("status", status)
      .put("client", request.client().id())
      .put("model", model)
      .put("outcome", finalOutcome)
      .put("errorType", errorType)
      .put("finishReason", finishReason)
      .put("ttftMs", firstTokenNanos < 0 ? null : (firstTokenNanos - startNanos) / 1_000_000)
      .put("durationMs", durationNanos / 1_000_000)
      .put("promptTokens", promptTokens)
      .put("completionTokens", completion));
  }

  private void charge(long tokens) {
    if (tokens > 0) {
      charged += tokens;
      edge.limiter().charge(request.client(), tokens);
    }
  }
}
