package dev.llmrelay.api;

import dev.llmrelay.error.RelayError;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;

/** Answers a request with an error's real HTTP status and its JSON body; the one place that does. */
public final class JsonErrors {

  private JsonErrors() {
  }

  /** In the shape of the API the request's path belongs to: OpenAI's under {@code /v1/}, the relay's elsewhere. */
  public static void send(RoutingContext ctx, RelayError error) {
    HttpServerRequest request = ctx.request();
    // Refused before its body arrived (a missing key, an oversize Content-Length): a client may stop
    // sending it, so the connection is closed rather than reused with the rest read as the next request.
    boolean bodyPending = !request.isEnded() && (request.getHeader("Content-Length") != null
      && !"0".equals(request.getHeader("Content-Length")) || request.getHeader("Transfer-Encoding") != null);
    if (bodyPending) {
      ctx.response().putHeader("Connection", "close");
    }
    if (ctx.normalizedPath().startsWith(OpenAiApi.PREFIX)) {
      OpenAiErrors.send(ctx.response(), error);
    } else {
      send(ctx.response(), error);
    }
    if (bodyPending) {
      request.connection().close();
    }
  }

  public static void send(HttpServerResponse response, RelayError error) {
    send(response, error, error.toJson().encode());
  }

  /** Same, with the body in another API's shape (e.g. {@link OpenAiErrors}). */
  static void send(HttpServerResponse response, RelayError error, String body) {
    if (response.ended() || response.headWritten()) {
      if (!response.ended()) {
        response.end();
      }
      return;
    }
    response.setStatusCode(error.status()).putHeader("Content-Type", "application/json");
    if (error.retryAfterMs() >= 0) {
      response.putHeader("Retry-After", Long.toString((error.retryAfterMs() + 999) / 1000));
    }
    response.end(body);
  }
}
