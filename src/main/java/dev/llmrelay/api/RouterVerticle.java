package dev.llmrelay.api;

import com.networknt.schema.SchemaRegistry;
import dev.llmrelay.catalog.ModelCatalog;
import dev.llmrelay.config.RelayConfig;
import dev.llmrelay.edge.ClientTimeouts;
import dev.llmrelay.edge.Edge;
import dev.llmrelay.edge.EdgeRoutes;
import dev.llmrelay.error.ErrorMapper;
import dev.llmrelay.error.ErrorType;
import dev.llmrelay.error.RelayError;
import dev.llmrelay.error.RelayException;
import dev.llmrelay.upstream.UpstreamHealth;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.StaticHandler;

import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

/**
 * The client-facing HTTP server: validates requests, opens a {@link BusStream} per completion and
 * picks the sink that speaks the endpoint's format. Only wires; several instances share one port.
 */
public final class RouterVerticle extends VerticleBase {

  private final UpstreamHealth health;
  private final Edge edge;
  private final ModelCatalog models;
  private final Set<BusStream> active = new HashSet<>();
  private final RelayConfig config;
  private ModelsCatalog catalog;
  private SchemaRegistry schemas;
  private long ticker = -1;
  private HttpServer server;

  /**
   * @param health this JVM's provider breakers, reported at {@code /health}
   * @param config the whole configuration; this verticle reads its http and stream slices
   * @param edge   client auth, limits, metrics and access log, shared by this JVM's routers
   * @param models the model catalog, shared by this JVM's routers
   */
  public RouterVerticle(UpstreamHealth health, RelayConfig config, Edge edge, ModelCatalog models) {
    this.health = health;
    this.config = config;
    this.edge = edge;
    this.models = models;
  }

  @Override
  public Future<?> start() {
    catalog = new ModelsCatalog(models, config.upstream().simulated());
    schemas = AnswerSchema.registry();
    BodyHandler body = BodyHandler.create(false).setBodyLimit(config.http().maxBodyBytes());

    Router router = Router.router(vertx);
    ClientTimeouts timeouts = new ClientTimeouts(vertx, config.http(), edge);
    router.route().handler(timeouts::handleRequest);
    EdgeRoutes.mount(router, edge, config.http().maxBodyBytes());
    router.get("/api/v1/llm/complete/stream").handler(this::handleStreamGet);
    router.post("/api/v1/llm/complete/stream").handler(body).handler(this::handleStreamPost);
    router.post("/api/v1/llm/complete").handler(body).handler(this::handleComplete);
    router.get("/api/v1/llm/models").handler(this::handleModels);
    router.get("/health").handler(this::handleHealth);
    OpenAiApi openAi = new OpenAiApi(config.stream(), catalog, edge.input(),
      (ctx, upstreamBody, model, sink) -> open(ctx, upstreamBody, model, true, sink));
    router.post("/v1/chat/completions").handler(body).handler(openAi::handleChatCompletions);
    AnthropicApi anthropic = new AnthropicApi(edge.input(), config.stream().keepAliveMs(),
      (ctx, upstreamBody, model, sink) -> open(ctx, upstreamBody, model, true, sink));
    router.post(AnthropicApi.MESSAGES).handler(body).handler(anthropic::handleMessages);
    router.get("/v1/models").handler(openAi::handleModels);
    router.get("/v1/models/*").handler(openAi::handleModel);
    router.route(OpenAiApi.PREFIX + "*").handler(openAi::handleNotFound);
    router.route("/api/*").handler(this::handleNotFound);
    router.route("/*").handler(StaticHandler.create("webroot").setIndexPage("test-stream.html"));
    router.route().failureHandler(this::handleFailure);

    ticker = vertx.setPeriodic(config.stream().tickMs(), id -> tick());
    server = vertx.createHttpServer(new HttpServerOptions()
        .setHost(config.http().host())
        .setPort(config.http().port())
        .setMaxInitialLineLength(config.http().maxRequestLineBytes())
        .setCompressionSupported(false)
        // HTTP/1.1 only: no browser speaks cleartext HTTP/2, and with h2c on (Vert.x's default) a connection
        // exists, and reaches connectionHandler, only once its first request head is complete, so a client
        // that sends nothing or half a head would escape the header timeout (ClientTimeouts).
        .setHttp2ClearTextEnabled(false)
        // No WebSocket endpoint here: without these, every connection's pipeline carries a WebSocket
        // extension handler that inspects every write (about a tenth of the relay's CPU per token).
        .setPerMessageWebSocketCompressionSupported(false)
        .setPerFrameWebSocketCompressionSupported(false)
        // Every request, response and stream of this verticle is handled on its own event loop (bus
        // consumers, timers and handlers all run on its context), so a response writes straight to its
        // channel instead of through a per-connection multi-producer queue: one write hop less per
        // SSE frame, and about 4 KB less per open connection (the queue's first chunk of 1,024 slots).
        .setStrictThreadMode(true))
      .connectionHandler(timeouts::handleConnection)
      .invalidRequestHandler(this::handleInvalidRequest)
      .requestHandler(router);
    return server.listen();
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(ticker);
    for (BusStream stream : Set.copyOf(active)) {
      stream.cancel();
    }
    return Future.succeededFuture();
  }

  /**
   * Shutdown, first step: stop accepting connections and let the open streams run. HTTP/1.1 connections
   * close as their responses end, HTTP/2 ones get a GOAWAY; whatever is still open after
   * {@code closeAfterMs} is closed by Vert.x. Call on any thread.
   */
  public Future<Void> drain(long closeAfterMs) {
    Promise<Void> stopped = Promise.promise();
    context.runOnContext(v -> server.shutdown(closeAfterMs, TimeUnit.MILLISECONDS).onComplete(stopped));
    return stopped.future();
  }

  /** Shutdown, last step: the streams still open end with a typed, retryable error event. */
  public Future<Void> endStreams() {
    Promise<Void> done = Promise.promise();
    context.runOnContext(v -> {
      for (BusStream stream : Set.copyOf(active)) {
        stream.shutDown();
      }
      done.complete();
    });
    return done.future();
  }

  private void handleStreamGet(RoutingContext ctx) {
    HttpServerRequest request = ctx.request();
    if (request.getHeader("Last-Event-ID") != null) {
      // An EventSource reconnecting after the stream ended: never run the generation twice.
      // 204 makes the browser stop reconnecting.
      ctx.response().setStatusCode(204).end();
      return;
    }
    CompletionRequest completion;
    AnswerSchema schema;
    try {
      completion = CompletionRequest.fromQuery(request.getParam("messages"), request.getParam("options"));
      edge.input().check(completion.messages());
      schema = AnswerSchema.compile(schemas, completion.responseSchema());
    } catch (RelayException e) {
      JsonErrors.send(ctx.response(), e.error());
      return;
    }
    stream(ctx, completion, new EventSourceSink(ctx.response(), true, config.stream().keepAliveMs(), schema));
  }

  private void handleStreamPost(RoutingContext ctx) {
    withBody(ctx, (completion, schema) ->
      stream(ctx, completion, new EventSourceSink(ctx.response(), false, config.stream().keepAliveMs(), schema)));
  }

  private void handleComplete(RoutingContext ctx) {
    withBody(ctx, (completion, schema) -> stream(ctx, completion, new CompletionSink(ctx.response(), schema)));
  }

  private void handleModels(RoutingContext ctx) {
    ctx.response().putHeader("Content-Type", "application/json").end(catalog.toJson().encode());
  }

  private void handleHealth(RoutingContext ctx) {
    health.check(vertx.eventBus()).onSuccess(upstream -> {
      boolean ready = upstream.getBoolean("ready");
      JsonObject json = new JsonObject()
        .put("status", ready ? "UP" : health.draining() ? "DRAINING" : "DEGRADED")
        .put("live", true)
        .put("ready", ready)
        .put("simulated", config.upstream().simulated())
        .put("activeStreams", health.clientStreams())
        .put("upstream", upstream);
      ctx.response().setStatusCode(ready ? 200 : 503)
        .putHeader("Content-Type", "application/json").end(json.encode());
    });
  }

  private void handleNotFound(RoutingContext ctx) {
    JsonErrors.send(ctx.response(), new RelayError(ErrorType.BAD_REQUEST, 404,
      "No such endpoint: " + ctx.request().method() + " " + ctx.request().path(), -1, null));
  }

  private void withBody(RoutingContext ctx, BiConsumer<CompletionRequest, AnswerSchema> then) {
    CompletionRequest completion;
    AnswerSchema schema;
    try {
      completion = CompletionRequest.fromBody(ctx.body().asString());
      edge.input().check(completion.messages());
      schema = AnswerSchema.compile(schemas, completion.responseSchema());
    } catch (RelayException e) {
      JsonErrors.send(ctx.response(), e.error());
      return;
    }
    then.accept(completion, schema);
  }

  private void stream(RoutingContext ctx, CompletionRequest completion, StreamSink sink) {
    String model = completion.model(config.stream().defaultModel());
    String body = completion.upstreamBody(config.stream().defaultModel()).encode();
    open(ctx, body, model, false, sink);
  }

  /** Opens a bus stream for this request; the client closing its connection cancels it. */
  private void open(RoutingContext ctx, String body, String model, boolean raw, StreamSink sink) {
    StreamSink observed = new ObservedSink(sink, edge.observe(ctx, model));
    if (health.draining()) {
      observed.error(RelayError.of(ErrorType.OVERLOADED, "This relay node is shutting down and takes no new streams; "
        + "send the request again").withRetryAfter(ErrorMapper.OVERLOAD_RETRY_MS));
      return;
    }
    health.clientStreamOpened();
    BusStream stream = BusStream.open(vertx, config.stream(), body, model, raw, observed, this::forget);
    if (!stream.isEnded()) {
      active.add(stream);
    }
    // Through the routing context, not response.closeHandler: that one holds a single handler, and
    // the edge's end handlers (stream slot, access log) need the close too. Fails only on a close.
    ctx.addEndHandler(ar -> {
      if (ar.failed()) {
        stream.cancel();
      }
    });
  }

  private void forget(BusStream stream) {
    active.remove(stream);
    health.clientStreamClosed();
  }

  private void handleFailure(RoutingContext ctx) {
    Throwable failure = ctx.failure();
    RelayError error;
    if (failure instanceof RelayException e) {
      error = e.error();
    } else if (ctx.statusCode() == 413) {
      error = new RelayError(ErrorType.BAD_REQUEST, 413, "body: larger than the limit of "
        + config.http().maxBodyBytes() + " bytes", -1, "body");
    } else if (ctx.statusCode() >= 400 && ctx.statusCode() < 500) {
      error = new RelayError(ErrorType.BAD_REQUEST, ctx.statusCode(), "Bad request", -1, null);
    } else {
      error = RelayError.of(ErrorType.INTERNAL, "Internal error");
    }
    JsonErrors.send(ctx, error);
  }

  private void handleInvalidRequest(HttpServerRequest request) {
    Throwable cause = request.decoderResult().cause();
    RelayError error;
    if (cause instanceof TooLongHttpLineException) {
      error = new RelayError(ErrorType.BAD_REQUEST, 414, "url: the request line is longer than "
        + config.http().maxRequestLineBytes() + " bytes; send long conversations with POST "
        + "/api/v1/llm/complete/stream and a JSON body {messages, options}", -1, "url");
    } else if (cause instanceof TooLongHttpHeaderException) {
      error = new RelayError(ErrorType.BAD_REQUEST, 431, "headers: larger than the limit", -1, "headers");
    } else {
      error = new RelayError(ErrorType.BAD_REQUEST, 400, "Malformed HTTP request", -1, null);
    }
    edge.invalidRequest(error.status());
    JsonErrors.send(request.response(), error);
    request.connection().close();
  }

  private void tick() {
    long now = System.currentTimeMillis();
    for (BusStream stream : active.toArray(new BusStream[0])) {
      stream.tick(now);
    }
  }
}
