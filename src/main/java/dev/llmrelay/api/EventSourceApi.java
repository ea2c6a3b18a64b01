package dev.llmrelay.api;

import com.networknt.schema.SchemaRegistry;
import dev.llmrelay.bus.OpenRequest;
import dev.llmrelay.config.StreamConfig;
import dev.llmrelay.edge.InputLimits;
import dev.llmrelay.error.RelayException;
import dev.llmrelay.http.ErrorFormat;
import dev.llmrelay.http.ErrorResponses;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;

import java.util.function.BiFunction;
import java.util.function.Supplier;

/**
 * The relay's own API under {@code /api/v1/llm}: the EventSource stream ({@code GET} with the request in
 * the query, {@code POST} with it in the body), the non-streaming completion and the model catalog. A
 * request is parsed, checked against the input limits and its answer schema compiled before any stream
 * opens, so bad input is a 400 with a JSON error. An EventSource stream asked for with
 * {@code options.resume} is resumable (see {@link ResumableStreams}).
 */
final class EventSourceApi {

  private final StreamConfig config;
  private final ModelsCatalog catalog;
  private final InputLimits input;
  private final SchemaRegistry schemas;
  private final ActiveStreams streams;
  private final ResumableStreams resumable;

  EventSourceApi(StreamConfig config, ModelsCatalog catalog, InputLimits input, ActiveStreams streams,
                 ResumableStreams resumable) {
    this.config = config;
    this.catalog = catalog;
    this.input = input;
    this.schemas = AnswerSchema.registry();
    this.streams = streams;
    this.resumable = resumable;
  }

  void handleStreamGet(RoutingContext ctx) {
    HttpServerRequest request = ctx.request();
    String lastEventId = request.getHeader("Last-Event-ID");
    if (lastEventId != null) {
      // An EventSource reconnecting: a resumable stream goes on from where it was; the generation never runs twice.
      resumable.reconnect(ctx, lastEventId);
      return;
    }
    open(ctx, () -> CompletionRequest.fromQuery(request.getParam("messages"), request.getParam("options")),
      (schema, resume) -> eventSourceSink(ctx, true, schema, resume), true);
  }

  void handleStreamPost(RoutingContext ctx) {
    open(ctx, () -> CompletionRequest.fromBody(ctx.body().asString()),
      (schema, resume) -> eventSourceSink(ctx, false, schema, resume), true);
  }

  void handleComplete(RoutingContext ctx) {
    open(ctx, () -> CompletionRequest.fromBody(ctx.body().asString()),
      (schema, resume) -> new CompletionSink(ctx.response(), schema), false);
  }

  private EventSourceSink eventSourceSink(RoutingContext ctx, boolean commitEarly, AnswerSchema schema,
                                          OpenRequest.Resume resume) {
    return new EventSourceSink(ctx.response(), commitEarly, config.keepAliveMs(), schema,
      resume == null ? null : resume.id(), 0);
  }

  void handleModels(RoutingContext ctx) {
    ctx.response().putHeader("Content-Type", "application/json").end(catalog.toJson().encode());
  }

  /**
   * Parses and checks the request, then opens its stream into the sink made for its answer schema (null
   * without one); a request that fails parsing or a check is answered with its error instead.
   */
  private void open(RoutingContext ctx, Supplier<CompletionRequest> parse,
                    BiFunction<AnswerSchema, OpenRequest.Resume, StreamSink> sink, boolean mayResume) {
    CompletionRequest completion;
    AnswerSchema schema;
    try {
      completion = parse.get();
      input.check(completion.messages());
      schema = AnswerSchema.compile(schemas, completion.responseSchema());
    } catch (RelayException e) {
      ErrorResponses.send(ctx.response(), e.error(), ErrorFormat.RELAY);
      return;
    }
    String model = completion.model(config.defaultModel());
    String body = completion.upstreamBody(config.defaultModel()).encode();
    OpenRequest.Resume resume = mayResume && completion.resumable() && resumable.enabled() ? resumable.terms(ctx)
      : null;
    streams.open(ctx, body, model, false, resume, sink.apply(schema, resume));
  }
}
