package dev.llmrelay.edge;

import dev.llmrelay.config.SecurityConfig;
import dev.llmrelay.error.RelayError;
import dev.llmrelay.http.ErrorResponses;
import dev.llmrelay.trace.RequestSpan;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.CorsHandler;
import io.vertx.micrometer.PrometheusScrapingHandler;

import java.util.List;
import java.util.Set;

/**
 * Puts the edge in front of a router's own routes: request id, security headers and request
 * metrics on everything; CORS when configured; strict UTF-8 for query strings and API bodies; client
 * authentication and limits on {@code /api/v1/llm/*} and {@code /v1/*} (and {@code /metrics} unless
 * it is public); and the edge's own endpoints: the browser token, {@code /metrics},
 * {@code /health/live} and {@code /health/ready}. Mount it first, before the API routes.
 */
public final class EdgeRoutes {

  private EdgeRoutes() {
  }

  public static void mount(Router router, Edge edge, int maxBodyBytes) {
    SecurityConfig config = edge.config();
    router.route().handler(ctx -> begin(ctx, edge));
    CorsHandler cors = cors(config.cors());
    if (cors != null) {
      router.route().handler(cors);
    }
    router.route().handler(EdgeRoutes::checkQuery);

    AuthHandler auth = new AuthHandler(edge);
    router.route("/api/v1/llm/*").handler(auth);
    router.route("/v1/*").handler(auth);
    if (!config.publicMetrics()) {
      router.route("/metrics").handler(auth);
    }
    BodyHandler body = BodyHandler.create(false).setBodyLimit(maxBodyBytes);
    router.route("/api/v1/llm/*").method(HttpMethod.POST).handler(body).handler(EdgeRoutes::checkBody);
    router.route("/v1/*").method(HttpMethod.POST).handler(body).handler(EdgeRoutes::checkBody);

    router.post(Endpoints.TOKEN).handler(ctx -> mintToken(ctx, edge));
    router.get("/metrics").handler(PrometheusScrapingHandler.create(edge.registry()));
    router.get("/health/live").handler(ctx -> json(ctx.response(), 200, new JsonObject().put("live", true)));
    router.get("/health/ready").handler(ctx -> ready(ctx, edge));
  }

  private static void begin(RoutingContext ctx, Edge edge) {
    EdgeRequest request = EdgeRequest.start(ctx);
    SecurityConfig config = edge.config();
    HttpServerResponse response = ctx.response();
    response.putHeader("X-Request-Id", request.id())
      .putHeader("X-Content-Type-Options", "nosniff")
      .putHeader("X-Frame-Options", "DENY")
      .putHeader("Referrer-Policy", "no-referrer");
    if (config.contentSecurityPolicy() != null && !config.contentSecurityPolicy().isBlank()) {
      response.putHeader("Content-Security-Policy", config.contentSecurityPolicy());
    }
    String method = ctx.request().method().name();
    RequestSpan.start(ctx, edge.tracing(), Endpoints.label(ctx), request.id());
    ctx.addEndHandler(ar -> edge.metrics().request(Endpoints.label(ctx), method, response.getStatusCode()));
    ctx.next();
  }

  private static CorsHandler cors(SecurityConfig.Cors config) {
    if (config == null || config.allowedOrigins() == null || config.allowedOrigins().isEmpty()) {
      return null;
    }
    List<String> origins = config.allowedOrigins();
    CorsHandler cors = CorsHandler.create();
    if (!origins.equals(List.of("*"))) {
      cors.addOrigins(origins);
    }
    return cors
      .allowedMethods(Set.of(HttpMethod.GET, HttpMethod.POST, HttpMethod.DELETE, HttpMethod.OPTIONS))
      .allowedHeaders(Set.of("Authorization", "Content-Type", "Last-Event-ID", "X-Request-Id",
        // What Anthropic's SDKs send from a browser to /v1/messages.
        "x-api-key", "anthropic-version", "anthropic-beta", "anthropic-dangerous-direct-browser-access"))
      .exposedHeaders(Set.of("Retry-After", "X-Request-Id", "X-Stream-Id"))
      .allowCredentials(config.allowCredentials())
      .maxAgeSeconds(config.maxAgeSeconds());
  }

  private static void checkQuery(RoutingContext ctx) {
    String query = ctx.request().query();
    String problem = query == null ? null : Utf8.queryProblem(query);
    if (problem != null) {
      ErrorResponses.send(ctx, RelayError.badRequest("url", problem));
      return;
    }
    ctx.next();
  }

  private static void checkBody(RoutingContext ctx) {
    Buffer body = ctx.body().buffer();
    if (body != null && !Utf8.valid(body)) {
      ErrorResponses.send(ctx, RelayError.badRequest("body", "not valid UTF-8"));
      return;
    }
    ctx.next();
  }

  private static void mintToken(RoutingContext ctx, Edge edge) {
    StreamTokens.Minted minted = edge.tokens().mint(EdgeRequest.of(ctx).client());
    ctx.response().putHeader("Cache-Control", "no-store");
    json(ctx.response(), 200, new JsonObject()
      .put("token", minted.token())
      .put("expiresAt", minted.expiresAt())
      .put("expiresInMs", edge.tokens().ttlMs()));
  }

  private static void ready(RoutingContext ctx, Edge edge) {
    edge.health().check(ctx.vertx().eventBus()).onSuccess(upstream -> {
      boolean ready = upstream.getBoolean("ready");
      json(ctx.response(), ready ? 200 : 503, new JsonObject().put("ready", ready).put("upstream", upstream));
    });
  }

  private static void json(HttpServerResponse response, int status, JsonObject body) {
    response.setStatusCode(status).putHeader("Content-Type", "application/json").end(body.encode());
  }
}
