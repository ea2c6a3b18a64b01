package dev.llmrelay.api;

import com.networknt.schema.SchemaRegistry;
import dev.llmrelay.config.RelayConfig;
import dev.llmrelay.edge.InputLimits;
import dev.llmrelay.error.RelayException;
import dev.llmrelay.http.ErrorFormat;
import dev.llmrelay.http.ErrorResponses;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;

import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The relay's own API under {@code /api/v1/llm}: the EventSource stream ({@code GET} with the request in
 * the query, {@code POST} with it in the body), the non-streaming completion and the model catalog. A
 * request is parsed, checked against the input limits and its answer schema compiled before any stream
 * opens, so bad input is a 400 with a JSON error.
 */
final class EventSourceApi {

  private final RelayConfig.Streams config;
  private final ModelsCatalog catalog;
  private final InputLimits input;
  private final SchemaRegistry schemas;
  private final ActiveStreams streams;

  EventSourceApi(RelayConfig.Streams config, ModelsCatalog catalog, InputLimits input, ActiveStreams streams) {
    this.config = config;
    this.catalog = catalog;
    this.input = input;
    this.schemas = AnswerSchema.registry();
    this.streams = streams;
  }

  void handleStreamGet(RoutingContext ctx) {
    HttpServerRequest request = ctx.request();
    if (request.getHeader("Last-Event-ID") != null) {
      // An EventSource reconnecting after the stream ended: never run the generation twice.
      // 204 makes the browser stop reconnecting.
      ctx.response().setStatusCode(204).end();
      return;
    }
    open(ctx, () -> CompletionRequest.fromQuery(request.getParam("messages"), request.getParam("options")),
      schema -> new EventSourceSink(ctx.response(), true, config.keepAliveMs(), schema));
  }

  void handleStreamPost(RoutingContext ctx) {
    open(ctx, () -> CompletionRequest.fromBody(ctx.body().asString()),
      schema -> new EventSourceSink(ctx.response(), false, config.keepAliveMs(), schema));
  }

  void handleComplete(RoutingContext ctx) {
    open(ctx, () -> CompletionRequest.fromBody(ctx.body().asString()),
      schema -> new CompletionSink(ctx.response(), schema));
  }

  void handleModels(RoutingContext ctx) {
    ctx.response().putHeader("Content-Type", "application/json").end(catalog.toJson().encode());
  }

  /**
   * Parses and checks the request, then opens its stream into the sink made for its answer schema (null
   * without one); a request that fails parsing or a check is answered with its error instead.
   */
  private void open(RoutingContext ctx, Supplier<CompletionRequest> parse, Function<AnswerSchema, StreamSink> sink) {
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
    streams.open(ctx, body, model, false, sink.apply(schema));
  }
}
