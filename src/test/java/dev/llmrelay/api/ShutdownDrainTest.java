package dev.llmrelay.api;

import dev.llmrelay.simulator.Simulator;
import dev.llmrelay.testing.Await;
import dev.llmrelay.testing.RelayHarness;
import dev.llmrelay.testing.SseClient;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A graceful stop (what SIGTERM runs): not ready at once, no new connections, open streams finish
 * within the drain period, and those still open after it end with a typed, retryable error event
 * and an upstream that is closed, never a bare cut.
 */
@ExtendWith(VertxExtension.class)
class ShutdownDrainTest {

  private static final String MODEL = new JsonObject().put("model", "m/any").encode();

  @Test
  void openStreamsFinishWithinTheDrainAndNothingNewIsAccepted(Vertx vertx) {
    RelayHarness h = RelayHarness.start(vertx, c -> c.withStream(c.stream().withDrainMs(20_000)));
    SseClient client = new SseClient(vertx, h.port);
    Future<SseClient.Result> open = client.get(SseClient.query(SseClient.userMessages("go [sim tokens=25 paceMs=40]"),
      MODEL));
    Await.until(() -> h.simulator.stats().started() == 1, 5_000, "the stream is running");

    Future<Void> drained = h.relay.drain();
    assertFalse(h.relay.health().ready(), "not ready from the moment the drain starts");
    // Refused, or (accepted by the kernel while the listener was closing) closed or reset without an answer.
    Throwable refused = assertThrows(Throwable.class, () -> new SseClient(vertx, h.port).get("/health/live").await(),
      "a new connection gets no answer once the drain starts");
    assertTrue(refused instanceof java.io.IOException || refused instanceof io.vertx.core.http.HttpClosedException,
      refused.toString());

    SseClient.Result whole = open.await();
    assertEquals(Simulator.normalAnswer(25), whole.text());
    assertEquals("[DONE]", whole.last().json().getString("text"));
    drained.await();
    assertEquals(0, h.simulator.stats().aborted(), "the upstream was never cut");
    assertEquals(1, h.simulator.stats().completed());
  }

  @Test
  void streamsStillOpenAfterTheDrainEndWithARetryableErrorAndAClosedUpstream(Vertx vertx) {
    RelayHarness h = RelayHarness.start(vertx, c -> c.withStream(c.stream().withDrainMs(300)));
    SseClient client = new SseClient(vertx, h.port);
    Future<SseClient.Result> open = client.get(SseClient.query(SseClient.userMessages("go [sim tokens=200 paceMs=50]"),
      MODEL));
    Await.until(() -> h.simulator.stats().started() == 1, 5_000, "the stream is running");

    h.relay.drain().await();
    SseClient.Result cut = open.await();
    assertEquals("error", cut.last().event());
    JsonObject error = cut.last().json();
    assertEquals("upstream_unavailable", error.getString("type"));
    assertEquals(true, error.getBoolean("retryable"));
    assertTrue(error.getString("error").contains("shutting down"), error.getString("error"));
    assertTrue(Simulator.normalAnswer(200).startsWith(cut.text()) && cut.text().length() > 0,
      "what came before the error is an unbroken start of the answer: " + cut.text());
    Await.until(() -> h.simulator.stats().aborted() == 1, 5_000, "the upstream sees the stream closed");
    assertEquals(0, h.simulator.stats().completed());
  }
}
