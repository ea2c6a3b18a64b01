package dev.llmrelay.api;

import dev.llmrelay.catalog.ModelCatalog;
import dev.llmrelay.config.RelayConfig;
import dev.llmrelay.edge.ClientTimeouts;
import dev.llmrelay.edge.Edge;
import dev.llmrelay.edge.EdgeRoutes;
import dev.llmrelay.upstream.UpstreamHealth;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.StaticHandler;

import java.util.concurrent.TimeUnit;

/**
 * The client-facing HTTP server: mounts the edge, then each API's routes on its handler class
 * ({@link EventSourceApi}, {@link OpenAiApi}, {@link AnthropicApi}, {@link ResponsesApi},
 * {@link HealthHandler}, {@link Failures}),
 * all opening their streams through one {@link ActiveStreams}. Only wires; several instances share one port.
 * Request bodies are read by the edge ({@link EdgeRoutes}).
 */
public final class RouterVerticle extends VerticleBase {

  private final UpstreamHealth health;
  private final Edge edge;
  private final RelayConfig config;
  private final ModelCatalog models;
  private final JsonArray scenarios;
  private final int port;
  private ActiveStreams streams;
  private HttpServer server;

  /**
   * @param health this JVM's provider breakers, reported at {@code /health}
   * @param config the whole configuration; this verticle reads its http and stream slices
   * @param edge   client auth, limits, metrics and access log, shared by this JVM's routers
   * @param models the model catalog, shared by this JVM's routers
   * @param scenarios the simulator's scenarios, listed with the model catalog, when the relay serves from
   *                  it; else null
   * @param port   the port to listen on; a negative one is Vert.x's "a port the kernel picks, shared by the
   *               servers given the same negative number" (a relay configured with port 0)
   */
  public RouterVerticle(UpstreamHealth health, RelayConfig config, Edge edge, ModelCatalog models,
                        JsonArray scenarios, int port) {
    this.health = health;
    this.config = config;
    this.edge = edge;
    this.models = models;
    this.scenarios = scenarios;
    this.port = port;
  }

  @Override
  public Future<?> start() {
    ModelsCatalog catalog = new ModelsCatalog(models, scenarios);
    streams = new ActiveStreams(vertx, config.stream(), health, edge);
    ResumableStreams resumable = new ResumableStreams(vertx, config.stream(), edge, streams::resume);
    EventSourceApi eventSource = new EventSourceApi(config.stream(), catalog, edge.input(), streams, resumable);
    OpenAiApi openAi = new OpenAiApi(config.stream(), catalog, edge.input(), streams::openRaw);
    AnthropicApi anthropic = new AnthropicApi(edge.input(), config.stream().keepAliveMs(), streams::openRaw);
    ResponsesApi responses = new ResponsesApi(config.stream(), edge.input(), streams::openRaw);
    Failures failures = new Failures(config.http(), edge);

    Router router = Router.router(vertx);
    ClientTimeouts timeouts = new ClientTimeouts(vertx, config.http(), edge);
    router.route().handler(timeouts::handleRequest);
    EdgeRoutes.mount(router, edge, config.http().maxBodyBytes());
    router.get("/api/v1/llm/complete/stream").handler(eventSource::handleStreamGet);
    router.post("/api/v1/llm/complete/stream").handler(eventSource::handleStreamPost);
    router.post("/api/v1/llm/complete").handler(eventSource::handleComplete);
    router.get("/api/v1/llm/models").handler(eventSource::handleModels);
    router.get("/api/v1/llm/streams/:id").handler(resumable::handleGet);
    router.delete("/api/v1/llm/streams/:id").handler(resumable::handleDelete);
    router.get("/health").handler(new HealthHandler(health, config.upstream().simulated()));
    router.post("/v1/chat/completions").handler(openAi::handleChatCompletions);
    router.post(AnthropicApi.MESSAGES).handler(anthropic::handleMessages);
    router.post(ResponsesApi.RESPONSES).handler(responses::handleResponses);
    router.get("/v1/models").handler(openAi::handleModels);
    router.get("/v1/models/*").handler(openAi::handleModel);
    router.route(OpenAiApi.PREFIX + "*").handler(openAi::handleNotFound);
    router.route("/api/*").handler(failures::handleNotFound);
    router.route("/*").handler(StaticHandler.create("webroot").setIndexPage("test-stream.html"));
    router.route().failureHandler(failures::handleFailure);

    server = vertx.createHttpServer(new HttpServerOptions()
        .setHost(config.http().host())
        .setPort(port)
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
      .invalidRequestHandler(failures::handleInvalidRequest)
      .requestHandler(router);
    return server.listen();
  }

  /** The port this verticle's server listens on (the one the kernel picked, when configured with 0). */
  public int port() {
    return server.actualPort();
  }

  @Override
  public Future<?> stop() {
    streams.cancelAll();
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
      streams.shutDown();
      done.complete();
    });
    return done.future();
  }
}
