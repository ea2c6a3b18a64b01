package dev.llmrelay.api;

import dev.llmrelay.config.StreamConfig;
import dev.llmrelay.edge.InputLimits;
import dev.llmrelay.error.RelayException;
import dev.llmrelay.http.ErrorFormat;
import dev.llmrelay.http.ErrorResponses;
import dev.llmrelay.http.OpenAiErrors;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;

/**
 * The OpenAI-compatible endpoints, so an app built on an OpenAI SDK works by pointing its base URL at
 * {@code http://<relay>/v1}: {@code POST /v1/chat/completions} (streaming and not), {@code GET /v1/models}
 * and {@code GET /v1/models/{id}}. Errors on these paths are in OpenAI's shape ({@link OpenAiErrors}).
 * Streams are opened in raw mode, so the upstream's chunks reach the client as they came.
 */
final class OpenAiApi {

  /** Opens a raw bus stream of {@code upstreamBody} into {@code sink}, tied to the request's connection. */
  @FunctionalInterface
  interface StreamOpener {
    void open(RoutingContext ctx, String upstreamBody, String model, StreamSink sink);
  }

  static final String PREFIX = ErrorFormat.OPENAI_PREFIX;
  private static final String MODELS = "/v1/models/";

  private final StreamConfig config;
  private final ModelsCatalog catalog;
  private final InputLimits input;
  private final StreamOpener streams;

  OpenAiApi(StreamConfig config, ModelsCatalog catalog, InputLimits input, StreamOpener streams) {
    this.config = config;
    this.catalog = catalog;
    this.input = input;
    this.streams = streams;
  }

  void handleChatCompletions(RoutingContext ctx) {
    OpenAiRequest request;
    try {
      request = OpenAiRequest.parse(ctx.body().asString());
      input.check(request.body().getJsonArray("messages"));
    } catch (RelayException e) {
      ErrorResponses.send(ctx.response(), e.error(), ErrorFormat.OPENAI);
      return;
    }
    String model = request.model(config.defaultModel());
    StreamSink sink = request.stream()
      ? new OpenAiStreamSink(ctx.response(), config.keepAliveMs())
      : new OpenAiCompletionSink(ctx.response(), model);
    streams.open(ctx, request.upstreamBody(config.defaultModel()).encode(), model, sink);
  }

  /** {@code {"object": "list", "data": [model, ...]}} from the catalog. */
  void handleModels(RoutingContext ctx) {
    JsonArray data = new JsonArray();
    for (Object entry : catalog.models()) {
      data.add(model((JsonObject) entry));
    }
    ctx.response().putHeader("Content-Type", "application/json")
      .end(new JsonObject().put("object", "list").put("data", data).encode());
  }

  /** One model; ids hold a slash ({@code openai/gpt-4o}), which SDKs send as {@code %2F}. */
  void handleModel(RoutingContext ctx) {
    String raw = ctx.request().path().substring(MODELS.length());
    String id = URLDecoder.decode(raw.replace("+", "%2B"), StandardCharsets.UTF_8);
    for (Object entry : catalog.models()) {
      JsonObject m = (JsonObject) entry;
      if (id.equals(m.getString("id"))) {
        ctx.response().putHeader("Content-Type", "application/json").end(model(m).encode());
        return;
      }
    }
    OpenAiErrors.notFound(ctx.response(), "The model '" + id + "' does not exist in this relay's catalog",
      "model", "model_not_found");
  }

  void handleNotFound(RoutingContext ctx) {
    OpenAiErrors.notFound(ctx.response(),
      "Invalid URL (" + ctx.request().method() + " " + ctx.request().path() + ")", null, "unknown_url");
  }

  /**
   * OpenAI's model object. {@code owned_by} is the id's author part; {@code created} comes from the
   * catalog entry when it has one, else 0 (unknown). {@code name} and {@code context_length} are
   * OpenRouter's extras, which OpenAI clients ignore.
   */
  private static JsonObject model(JsonObject m) {
    String id = m.getString("id");
    int slash = id.indexOf('/');
    JsonObject json = new JsonObject()
      .put("id", id)
      .put("object", "model")
      .put("created", m.getLong("created", 0L))
      .put("owned_by", slash > 0 ? id.substring(0, slash) : m.getString("provider", "unknown"));
    if (m.getValue("name") instanceof String name) {
      json.put("name", name);
    }
    if (m.getValue("contextWindow") instanceof Number window) {
      json.put("context_length", window);
    }
    return json;
  }
}
