package dev.llmrelay.testing;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientResponse;

/**
 * A client that stops reading: the test pauses an SSE response as soon as its head arrives (so TCP
 * backpressure reaches the relay), and later resumes it here and reads it to the end.
 */
public final class PausedResponse {

  private PausedResponse() {
  }

  /** Resumes {@code response} and concatenates the text of its message events, except the final [DONE]. */
  public static Future<String> resumeAndReadText(HttpClientResponse response) {
    Promise<String> text = Promise.promise();
    Buffer body = Buffer.buffer();
    response.handler(body::appendBuffer);
    response.exceptionHandler(text::tryFail);
    response.endHandler(v -> {
      StringBuilder out = new StringBuilder();
      for (String block : body.toString().split("\n\n")) {
        SseEvent event = parse(block);
        if (event != null && event.event().equals("message")
          && !"system".equals(event.json().getJsonObject("metadata").getString("provider"))) {
          out.append(event.json().getString("text"));
        }
      }
      text.tryComplete(out.toString());
    });
    response.resume();
    return text.future();
  }

  private static SseEvent parse(String block) {
    String event = "message";
    String data = null;
    for (String line : block.split("\n")) {
      if (line.startsWith("event: ")) {
        event = line.substring(7);
      } else if (line.startsWith("data: ")) {
        data = line.substring(6);
      }
    }
    return data == null ? null : new SseEvent(null, event, data);
  }
}
