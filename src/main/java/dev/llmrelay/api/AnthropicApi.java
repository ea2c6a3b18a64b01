package dev.llmrelay.api;

import dev.llmrelay.edge.InputLimits;
import dev.llmrelay.error.RelayException;
import dev.llmrelay.http.ErrorFormat;
import dev.llmrelay.http.ErrorResponses;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/**
 * Anthropic's Messages API, {@code POST /v1/messages}, so an app built on an Anthropic SDK works by pointing
 * its base URL at {@code http://<relay>}: the request is translated to the upstream's chat completions
 * ({@link AnthropicRequest}) and the answer back, streamed ({@link AnthropicStreamSink}) or whole
 * ({@link AnthropicMessageSink}), over the same bus stream as every other endpoint. Errors on this path
 * are in Anthropic's shape ({@link dev.llmrelay.http.AnthropicErrors}). The client key may come as {@code x-api-key}, as
 * Anthropic SDKs send it (the edge accepts it on this path); {@code anthropic-version} and
 * {@code anthropic-beta} are accepted and not needed.
 */
final class AnthropicApi {

  static final String MESSAGES = ErrorFormat.ANTHROPIC_MESSAGES;

  private final InputLimits input;
  private final OpenAiApi.StreamOpener streams;
  private final long keepAliveMs;

  AnthropicApi(InputLimits input, long keepAliveMs, OpenAiApi.StreamOpener streams) {
    this.input = input;
    this.keepAliveMs = keepAliveMs;
    this.streams = streams;
  }

  void handleMessages(RoutingContext ctx) {
    AnthropicRequest request;
    JsonObject upstream;
    try {
      request = AnthropicRequest.parse(ctx.body().asString());
      upstream = request.upstreamBody();
      input.check(upstream.getJsonArray("messages"));
    } catch (RelayException e) {
      ErrorResponses.send(ctx.response(), e.error(), ErrorFormat.ANTHROPIC);
      return;
    }
    AnthropicStop stop = new AnthropicStop(request.stopSequences());
    StreamSink sink = request.stream()
      ? new AnthropicStreamSink(ctx.response(), request.model(), stop, keepAliveMs)
      : new AnthropicMessageSink(ctx.response(), request.model(), stop);
    streams.open(ctx, upstream.encode(), request.model(), sink);
  }
}
