package dev.llmrelay.http;

import dev.llmrelay.error.RelayError;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import io.vertx.ext.web.RoutingContext;

/**
 * Answers a request with an error's real HTTP status and a JSON body in the shape its path's API uses
 * ({@link ErrorFormat}); the one place that writes an error response, for the edge and the APIs alike.
 */
public final class ErrorResponses {

  private ErrorResponses() {
  }

  /** How long a connection refused for its body's size keeps draining that body before it is closed. */
  static final long LINGER_MS = 2_000;

  /**
   * In the shape of the API the request's path belongs to ({@link ErrorFormat#forPath}).
   *
   * <p>A refusal sent before the body was read (a missing key, a limit) leaves the connection as it is: Vert.x
   * reads and drops the rest of a body no handler asked for, and the connection then serves the next request.
   * Only a body refused for its size (413) ends the connection, since its rest may be large: the answer says
   * {@code Connection: close}, and the connection keeps draining for up to {@link #LINGER_MS} before it
   * closes, so the client's kernel does not reset the connection under an answer it has not read yet.
   */
  public static void send(RoutingContext ctx, RelayError error) {
    HttpServerRequest request = ctx.request();
    boolean linger = error.status() == 413 && !request.isEnded() && request.version() != HttpVersion.HTTP_2;
    if (linger) {
      ctx.response().putHeader("Connection", "close");
    }
    send(ctx.response(), error, ErrorFormat.forPath(ctx.normalizedPath()));
    if (linger) {
      closeWhenDrained(ctx.vertx(), request);
    }
  }

  private static void closeWhenDrained(Vertx vertx, HttpServerRequest request) {
    HttpConnection connection = request.connection();
    long timer = vertx.setTimer(LINGER_MS, id -> connection.close());
    request.handler(chunk -> { });
    request.endHandler(v -> {
      vertx.cancelTimer(timer);
      connection.close();
    });
    request.resume();
  }

  /** In the given shape; for a handler that knows its API (and has no routing context at hand). */
  public static void send(HttpServerResponse response, RelayError error, ErrorFormat format) {
    send(response, error, format.body(error));
  }

  /**
   * With a body already encoded (e.g. {@link OpenAiErrors#notFound}'s explicit code). Once the head is out
   * (a stream that started) no status can be sent any more: the response just ends.
   */
  public static void send(HttpServerResponse response, RelayError error, String body) {
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
