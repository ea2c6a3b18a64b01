package dev.llmrelay.api;

import dev.llmrelay.error.RelayError;
import io.vertx.core.http.HttpServerResponse;

/** Answers a request with an error's real HTTP status and its JSON body; the one place that does. */
final class JsonErrors {

  private JsonErrors() {
  }

  static void send(HttpServerResponse response, RelayError error) {
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
