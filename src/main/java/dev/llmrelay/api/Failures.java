package dev.llmrelay.api;

import dev.llmrelay.config.HttpConfig;
import dev.llmrelay.edge.Edge;
import dev.llmrelay.error.ErrorType;
import dev.llmrelay.error.RelayError;
import dev.llmrelay.error.RelayException;
import dev.llmrelay.http.ErrorFormat;
import dev.llmrelay.http.ErrorResponses;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;

/**
 * What the router answers when no handler did: a route that failed (a thrown {@link RelayException}, a body
 * over the limit, anything else), a path under {@code /api/} that no route serves, and a request too
 * malformed to reach the router at all (an over-long request line or headers).
 */
final class Failures {

  private final HttpConfig config;
  private final Edge edge;

  Failures(HttpConfig config, Edge edge) {
    this.config = config;
    this.edge = edge;
  }

  void handleFailure(RoutingContext ctx) {
    Throwable failure = ctx.failure();
    RelayError error;
    if (failure instanceof RelayException e) {
      error = e.error();
    } else if (ctx.statusCode() == 413) {
      error = new RelayError(ErrorType.BAD_REQUEST, 413, "body: larger than the limit of "
        + config.maxBodyBytes() + " bytes", -1, "body");
    } else if (ctx.statusCode() >= 400 && ctx.statusCode() < 500) {
      error = new RelayError(ErrorType.BAD_REQUEST, ctx.statusCode(), "Bad request", -1, null);
    } else {
      error = RelayError.of(ErrorType.INTERNAL, "Internal error");
    }
    ErrorResponses.send(ctx, error);
  }

  void handleNotFound(RoutingContext ctx) {
    ErrorResponses.send(ctx.response(), new RelayError(ErrorType.BAD_REQUEST, 404,
      "No such endpoint: " + ctx.request().method() + " " + ctx.request().path(), -1, null), ErrorFormat.RELAY);
  }

  void handleInvalidRequest(HttpServerRequest request) {
    Throwable cause = request.decoderResult().cause();
    RelayError error;
    if (cause instanceof TooLongHttpLineException) {
      error = new RelayError(ErrorType.BAD_REQUEST, 414, "url: the request line is longer than "
        + config.maxRequestLineBytes() + " bytes; send long conversations with POST "
        + "/api/v1/llm/complete/stream and a JSON body {messages, options}", -1, "url");
    } else if (cause instanceof TooLongHttpHeaderException) {
      error = new RelayError(ErrorType.BAD_REQUEST, 431, "headers: larger than the limit", -1, "headers");
    } else {
      error = new RelayError(ErrorType.BAD_REQUEST, 400, "Malformed HTTP request", -1, null);
    }
    edge.invalidRequest(error.status());
    ErrorResponses.send(request.response(), error, ErrorFormat.RELAY);
    request.connection().close();
  }
}
