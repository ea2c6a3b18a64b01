package dev.llmrelay.simulator;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.Http2Settings;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * An OpenRouter stand-in on loopback: {@code POST .../chat/completions} streams a {@link SimStream}
 * or answers with the HTTP error of its scenario, {@code GET .../models} lists a few models
 * ({@link SimulatedModels}), and
 * {@code GET /sim/stats} shows the counters.
 */
final class SimulatorVerticle extends VerticleBase {

  static final int MAX_CONCURRENT_STREAMS = 1000;

  private final String host;
  private final int port;
  private final SimulatorStats stats;
  private final Map<String, Integer> failuresByKey = new HashMap<>();
  private final Set<HttpConnection> chatConnections = new HashSet<>();
  private HttpServer server;

  SimulatorVerticle(String host, int port, SimulatorStats stats) {
    this.host = host;
    this.port = port;
    this.stats = stats;
  }

  int actualPort() {
    return server.actualPort();
  }

  @Override
  public Future<?> start() {
    // HTTP/1.1 and h2c (prior knowledge or upgrade) on one port, so the relay's HTTP/2 upstream path can
    // be tested and measured; a thousand concurrent streams per connection, like a generous CDN edge.
    server = vertx.createHttpServer(new HttpServerOptions()
        .setHttp2ClearTextEnabled(true)
        .setInitialSettings(new Http2Settings().setMaxConcurrentStreams(MAX_CONCURRENT_STREAMS))
        // No WebSocket endpoint, as on the relay's own server: without these every connection's pipeline
        // carries a WebSocket extension handler, and in the relay's start-up warm-up (this simulator in the
        // relay's JVM) the JIT learns a write path through it that the relay's connections never take.
        .setPerMessageWebSocketCompressionSupported(false)
        .setPerFrameWebSocketCompressionSupported(false))
      .requestHandler(this::handle);
    return server.listen(port, host);
  }

  private void handle(HttpServerRequest request) {
    String path = request.path();
    if (path.endsWith("/chat/completions") && request.method().name().equals("POST")) {
      if (request.version() == HttpVersion.HTTP_2) {
        stats.countHttp2Request();
      }
      countConnection(request.connection());
      request.body().onSuccess(body -> chat(request, body.toString()));
    } else if (path.endsWith("/models") && request.method().name().equals("GET")) {
      stats.countModelsRequest();
      json(request.response(), 200, SimulatedModels.toJson());
    } else if (path.equals("/sim/stats")) {
      json(request.response(), 200, stats.toJson());
    } else {
      json(request.response(), 404, error(404, "Not Found", null));
    }
  }

  /** Counts a connection at its first chat completion, so the relay's catalog fetches are not counted. */
  private void countConnection(HttpConnection connection) {
    if (chatConnections.add(connection)) {
      stats.countConnection();
      connection.closeHandler(v -> chatConnections.remove(connection));
    }
  }

  private void chat(HttpServerRequest request, String text) {
    JsonObject body;
    try {
      body = new JsonObject(text);
    } catch (DecodeException e) {
      stats.request(new JsonObject().put("invalid", text), request.headers());
      json(request.response(), 400, error(400, "Invalid JSON body", "invalid_request"));
      return;
    }
    stats.request(body, request.headers());
    Scenario scenario = Scenario.from(body);
    HttpServerResponse response = request.response();
    if (scenario.failFirst() > 0) {
      int seen = failuresByKey.merge(scenario.key(), 1, Integer::sum);
      if (seen <= scenario.failFirst()) {
        failWith(response, scenario.failStatus(), scenario);
        return;
      }
    }
    if (scenario.status() >= 400) {
      answerStatus(response, scenario.status(), scenario);
      return;
    }
    switch (scenario.name()) {
      case "context-length" -> answerStatus(response, 400, scenario);
      case "auth" -> answerStatus(response, 401, scenario);
      case "payment" -> answerStatus(response, 402, scenario);
      case "forbidden" -> answerStatus(response, 403, scenario);
      case "rate-limit" -> answerStatus(response, 429, scenario);
      case "bad-gateway" -> answerStatus(response, 502, scenario);
      case "unavailable" -> answerStatus(response, 503, scenario);
      case "server-error" -> answerStatus(response, 500, scenario);
      case "hang" -> response.closeHandler(v -> stats.countAborted());
      default -> new SimStream(vertx, response, scenario, stats).start();
    }
  }

  /** Answers with {@code status} (400 or more) and OpenRouter's error body for it. */
  private void answerStatus(HttpServerResponse response, int status, Scenario scenario) {
    switch (status) {
      case 400 -> json(response, 400, error(400,
        "This endpoint's maximum context length is 8192 tokens. However, you requested about 9000 tokens.",
        "context_length_exceeded"));
      case 401 -> json(response, 401, error(401, "Missing Authentication header", "authentication"));
      case 402 -> json(response, 402, error(402, "Insufficient credits. Add more using https://openrouter.ai/credits",
        "payment_required"));
      case 403 -> json(response, 403, error(403, "Input was flagged by moderation", "content_policy_violation"));
      default -> failWith(response, status, scenario);
    }
  }

  private void failWith(HttpServerResponse response, int status, Scenario scenario) {
    if (status == 429 || status == 503) {
      response.putHeader("Retry-After", Integer.toString(scenario.retryAfterSeconds()));
    }
    String type = switch (status) {
      case 429 -> "rate_limit_exceeded";
      case 503 -> "provider_unavailable";
      default -> "server";
    };
    String message = switch (status) {
      case 429 -> "Rate limit exceeded: free-models-per-min";
      case 502 -> "Provider returned error";
      case 503 -> "No endpoints found that can handle the request";
      default -> "Internal Server Error";
    };
    json(response, status, error(status, message, type));
  }

  private void json(HttpServerResponse response, int status, JsonObject body) {
    if (status >= 400) {
      stats.countCompleted(); // before the bytes leave, as a stream's end is (see SimStream)
    }
    response.setStatusCode(status).putHeader("Content-Type", "application/json").end(body.encode());
  }

  private static JsonObject error(int code, String message, String errorType) {
    JsonObject error = new JsonObject().put("code", code).put("message", message);
    if (errorType != null) {
      error.put("metadata", new JsonObject().put("error_type", errorType));
    }
    return new JsonObject().put("error", error);
  }
}
