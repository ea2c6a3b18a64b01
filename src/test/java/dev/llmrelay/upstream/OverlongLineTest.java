package dev.llmrelay.upstream;

import dev.llmrelay.testing.Await;
import dev.llmrelay.testing.RelayHarness;
import dev.llmrelay.testing.SseClient;
import dev.llmrelay.testing.SseEvent;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An upstream that sends a line with no end: the relay stops reading once the line passes 1 MB, tells
 * the client {@code upstream_protocol} after the text it already had, and closes the upstream request.
 */
@ExtendWith(VertxExtension.class)
class OverlongLineTest {

  @Test
  void aLineOverOneMegabyteEndsTheStreamWithATypedErrorAndClosesTheUpstream(Vertx vertx) {
    Promise<Void> upstreamClosed = Promise.promise();
    HttpServer upstream = vertx.createHttpServer().requestHandler(req -> req.body().onSuccess(b -> {
      req.connection().closeHandler(v -> upstreamClosed.tryComplete());
      req.response().setChunked(true).putHeader("Content-Type", "text/event-stream")
        .write("data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hi\"}}]}\n\n");
      // A data line of 1 MB and 6 bytes, in pieces, never ended: only the relay can stop it.
      req.response().write("data: ");
      for (int i = 0; i < 16; i++) {
        req.response().write("x".repeat(1 << 16));
      }
    })).listen(0, "127.0.0.1").await();
    RelayHarness h = RelayHarness.start(vertx, c -> c.withUpstream(c.upstream()
      .withUrl("http://127.0.0.1:" + upstream.actualPort() + "/api/v1", false)));
    try {
      String messages = SseClient.userMessages("hi");
      SseClient.Result result = new SseClient(vertx, h.port)
        .get(SseClient.query(messages, new JsonObject().put("model", "any/model").encode())).await();

      assertEquals(200, result.status());
      List<SseEvent> events = result.events();
      assertEquals(2, events.size(), events.toString());
      assertEquals("message", events.get(0).event());
      assertEquals("Hi", result.text());
      SseEvent error = events.get(1);
      assertEquals("error", error.event());
      assertEquals("2", error.id());
      JsonObject json = error.json();
      assertEquals("upstream_protocol", json.getString("type"));
      assertEquals(502, json.getInteger("status"));
      assertTrue(json.getString("error").contains("a line exceeds 1048576 bytes"), json.encode());
      assertTrue(error.data().length() < 1000, "none of the line reaches the client");
      Await.until(() -> upstreamClosed.future().isComplete(), 5000, "the relay closing the upstream connection");
    } finally {
      h.stop();
      upstream.close().await();
    }
  }
}
