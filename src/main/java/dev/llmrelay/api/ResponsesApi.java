package dev.llmrelay.api;

import com.networknt.schema.SchemaRegistry;
import dev.llmrelay.config.StreamConfig;
import dev.llmrelay.edge.InputLimits;
import dev.llmrelay.error.RelayException;
import dev.llmrelay.http.ErrorFormat;
import dev.llmrelay.http.ErrorResponses;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/**
 * OpenAI's Responses API, {@code POST /v1/responses}, so an app on an OpenAI SDK's {@code responses()}
 * works by pointing its base URL at {@code http://<relay>/v1}: the request is translated to the upstream's
 * chat completions ({@link ResponsesRequest}) and the answer back, streamed ({@link ResponsesStreamSink})
 * or whole ({@link ResponsesAnswerSink}), over the same bus stream as every other endpoint. Stateless: the
 * relay stores no response. Errors on this path are in OpenAI's shape
 * ({@link dev.llmrelay.http.ErrorFormat#OPENAI_RESPONSES}).
 */
final class ResponsesApi {

  static final String RESPONSES = ErrorFormat.OPENAI_RESPONSES_PATH;

  private final StreamConfig config;
  private final InputLimits input;
  private final SchemaRegistry schemas = AnswerSchema.registry();
  private final OpenAiApi.StreamOpener streams;

  ResponsesApi(StreamConfig config, InputLimits input, OpenAiApi.StreamOpener streams) {
    this.config = config;
    this.input = input;
    this.streams = streams;
  }

  void handleResponses(RoutingContext ctx) {
    ResponsesRequest request;
    JsonObject upstream;
    AnswerSchema schema;
    try {
      request = ResponsesRequest.parse(ctx.body().asString(), config.defaultModel());
      upstream = request.upstreamBody();
      input.check(upstream.getJsonArray("messages"));
      schema = AnswerSchema.compile(schemas, request.responseSchema(), ResponsesRequest.SCHEMA_PARAM);
    } catch (RelayException e) {
      ErrorResponses.send(ctx.response(), e.error(), ErrorFormat.OPENAI_RESPONSES);
      return;
    }
    ResponsesObject response = new ResponsesObject(request, schema);
    StreamSink sink = request.stream()
      ? new ResponsesStreamSink(ctx.response(), response, config.keepAliveMs())
      : new ResponsesAnswerSink(ctx.response(), response);
    streams.open(ctx, upstream.encode(), request.model(), sink);
  }
}
