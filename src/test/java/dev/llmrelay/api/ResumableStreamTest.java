package dev.llmrelay.api;

import dev.llmrelay.bus.Addresses;
import dev.llmrelay.bus.OpenRequest;
import dev.llmrelay.bus.StreamChunk;
import dev.llmrelay.bus.StreamControl;
import dev.llmrelay.simulator.Simulator;
import dev.llmrelay.testing.Await;
import dev.llmrelay.testing.RelayHarness;
import dev.llmrelay.testing.SseClient;
import dev.llmrelay.testing.SseEvent;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Resumable streams in one process: a client that drops its connection and comes back with
 * {@code Last-Event-ID} gets exactly the events it missed, then the live tail, then {@code [DONE]}, at
 * every stage of the stream and any number of times; the upstream is asked once. Ids that name no
 * stream, another client's stream or an event never sent leak nothing; the grace period, DELETE and
 * the replay bound do what they say.
 */
@ExtendWith(VertxExtension.class)
class ResumableStreamTest {

  private static final String RESUMABLE = new JsonObject().put("model", "m/any").put("resume", true).encode();

  private static String url(String directive) {
    return SseClient.query(SseClient.userMessages("go " + directive), RESUMABLE);
  }

  private static Predicate<List<SseEvent>> after(int events) {
    return list -> list.size() >= events;
  }

  private static Future<SseClient.Result> reconnect(SseClient client, String uri, String lastEventId,
                                                    Predicate<List<SseEvent>> closeWhen) {
    return client.send(HttpMethod.GET, uri, null, Map.of("Last-Event-ID", lastEventId), closeWhen);
  }

  /** Every event id is {@code <streamId>:<seq>}, one more than the one before, starting after {@code from}. */
  private static void assertIds(List<SseEvent> events, String streamId, long from) {
    for (int i = 0; i < events.size(); i++) {
      assertEquals(streamId + ":" + (from + 1 + i), events.get(i).id(), "event " + i);
    }
  }

  @Test
  void aResumeOrDeleteSentToAPlainStreamIsRefusedAsAnUnknownStreamAndTheStreamGoesOn(Vertx vertx) {
    RelayHarness h = RelayHarness.start(vertx);
    AtomicReference<String> streamId = new AtomicReference<>();
    AtomicBoolean flowing = new AtomicBoolean();
    vertx.eventBus().addOutboundInterceptor(delivery -> {
      if (delivery.message().body() instanceof OpenRequest open) {
        streamId.compareAndSet(null, open.streamId());
      } else if (delivery.message().body() instanceof StreamChunk) {
        // The provider sends chunks only once it took the stream and listens on its control address.
        flowing.set(true);
      }
      delivery.next();
    });
    Future<SseClient.Result> plain = new SseClient(vertx, h.port)
      .get(SseClient.query(SseClient.userMessages("go [sim tokens=30 paceMs=20]"), null));
    Await.until(() -> streamId.get() != null && flowing.get(), 10_000, "the stream flows on the bus");
    String control = Addresses.control(streamId.get());
    for (StreamControl ask : List.of(StreamControl.delete("anonymous"),
      StreamControl.resume(Addresses.newStreamId(), 0, 16, "anonymous"))) {
      ReplyException refused = assertInstanceOf(ReplyException.class,
        vertx.eventBus().request(control, ask).toCompletionStage().toCompletableFuture()
          .handle((ok, failure) -> failure).join());
      assertEquals(ReplyFailure.RECIPIENT_FAILURE, refused.failureType());
      assertEquals(404, refused.failureCode(), ask.kind() + ": " + refused.getMessage());
    }
    SseClient.Result result = plain.await();
    assertEquals(Simulator.normalAnswer(30), result.text());
    assertEquals("[DONE]", result.last().json().getString("text"));
    h.stop();
  }

  @Test
  void aDroppedStreamResumesWithExactlyTheMissingEventsAtEveryStage(Vertx vertx) {
    RelayHarness h = RelayHarness.start(vertx);
    SseClient client = new SseClient(vertx, h.port);
    String uri = url("[sim tokens=30 paceMs=20 ttftMs=300]");

    // Dropped before the first token: only the stream's first event, which names it, arrived.
    SseClient.Result first = client.get(uri, events -> !events.isEmpty()).await();
    String streamId = first.headers().get("X-Stream-Id");
    assertTrue(streamId.matches("[0-9a-f]{32}"), streamId);
    assertTrue(first.body().startsWith("retry: 1000\n\nid: " + streamId + ":1\nevent: stream\n"), first.body());
    assertEquals(1, first.events().size());
    assertEquals("stream", first.last().event());
    assertEquals(new JsonObject().put("streamId", streamId), first.last().json());
    assertEquals(streamId + ":1", first.last().id());

    // Dropped mid-stream, twice in a row.
    SseClient.Result second = reconnect(client, uri, first.last().id(), after(8)).await();
    assertIds(second.events(), streamId, 1);
    SseClient.Result third = reconnect(client, uri, second.last().id(), after(5)).await();
    assertIds(third.events(), streamId, 9);

    // Dropped after the upstream finished: the rest and [DONE] come from the replay log.
    Await.until(() -> h.simulator.stats().completed() == 1, 5_000, "the upstream finished while nobody listened");
    SseClient.Result rest = reconnect(client, "/api/v1/llm/streams/" + streamId, third.last().id(), e -> false).await();
    assertIds(rest.events(), streamId, 14);
    assertEquals("[DONE]", rest.last().json().getString("text"));

    String text = first.text() + second.text() + third.text() + rest.text();
    assertEquals(Simulator.normalAnswer(30), text, "every token exactly once");
    assertEquals(32, first.events().size() + second.events().size() + third.events().size() + rest.events().size(),
      "the stream event, 30 tokens and [DONE]");
    assertEquals(1, h.simulator.stats().requests(), "one generation, never a second upstream request");
    assertEquals(0, h.simulator.stats().aborted());

    // The browser's reconnect after [DONE] is told to stop.
    assertEquals(204, reconnect(client, uri, rest.last().id(), e -> false).await().status());
    String metrics = client.get("/metrics").await().body();
    assertTrue(metrics.contains("relay_resumes_total 3.0"), metrics);
  }

  @Test
  void aLiveTailFollowsTheReplayAndPlainStreamsStayPlain(Vertx vertx) {
    RelayHarness h = RelayHarness.start(vertx);
    SseClient client = new SseClient(vertx, h.port);
    String uri = url("[sim tokens=60 paceMs=25]");
    SseClient.Result part = client.get(uri, after(5)).await();
    String streamId = part.headers().get("X-Stream-Id");
    SseClient.Result tail = reconnect(client, uri, part.last().id(), e -> false).await();
    assertEquals(Simulator.normalAnswer(60), part.text() + tail.text());
    assertIds(part.events(), streamId, 0);
    assertIds(tail.events(), streamId, 5);
    assertEquals(1, h.simulator.stats().requests());

    SseClient.Result plain = client.get(SseClient.query(SseClient.userMessages("x [sim tokens=3]"), null)).await();
    assertNull(plain.headers().get("X-Stream-Id"));
    assertEquals("1", plain.events().get(0).id());
    assertFalse(plain.body().contains("retry:"));
    assertEquals(204, reconnect(client, SseClient.query(SseClient.userMessages("x"), null), "3", e -> false)
      .await().status(), "a plain stream's reconnect never runs the generation again");
    assertEquals(2, h.simulator.stats().requests());
  }

  @Test
  void wrongForeignOrTamperedIdsAreRefusedAndLeakNothing(Vertx vertx) {
    RelayHarness h = RelayHarness.start(vertx);
    SseClient client = new SseClient(vertx, h.port);
    String uri = url("[sim tokens=40 paceMs=25]");
    SseClient.Result part = client.get(uri, after(3)).await();
    String streamId = part.headers().get("X-Stream-Id");
    String unknown = "0123456789abcdef0123456789abcdef";

    List<SseClient.Result> refused = new ArrayList<>();
    refused.add(reconnect(client, uri, unknown + ":3", e -> false).await());
    refused.add(reconnect(client, uri, streamId + ":999", e -> false).await());
    refused.add(reconnect(client, uri, streamId + ":x", e -> false).await());
    refused.add(reconnect(client, uri, "../" + streamId + ":3", e -> false).await());
    for (SseClient.Result r : refused) {
      assertEquals(204, r.status(), r.body());
      assertEquals("", r.body());
    }
    SseClient.Result notFound = reconnect(client, "/api/v1/llm/streams/" + unknown, unknown + ":2", e -> false).await();
    assertEquals(404, notFound.status());
    assertEquals("bad_request", new JsonObject(notFound.body()).getString("type"));
    SseClient.Result beyond = reconnect(client, "/api/v1/llm/streams/" + streamId, streamId + ":999", e -> false)
      .await();
    assertEquals(416, beyond.status());
    assertFalse(beyond.body().contains("quick"), beyond.body());
    SseClient.Result mismatched = reconnect(client, "/api/v1/llm/streams/" + streamId, unknown + ":2", e -> false)
      .await();
    assertEquals(400, mismatched.status());

    // The real stream is untouched by all of this.
    SseClient.Result tail = reconnect(client, uri, part.last().id(), e -> false).await();
    assertEquals(Simulator.normalAnswer(40), part.text() + tail.text());
    assertEquals(1, h.simulator.stats().requests());
  }

  @Test
  void withoutAClientTheStreamRunsForTheGracePeriodThenIsCancelledUpstream(Vertx vertx) {
    RelayHarness h = RelayHarness.start(vertx, c -> c.withStream(c.stream().withResume(400, 256 * 1024)));
    SseClient client = new SseClient(vertx, h.port);
    String uri = url("[sim tokens=400 paceMs=20]");
    SseClient.Result part = client.get(uri, after(2)).await();
    Await.until(() -> h.simulator.stats().aborted() == 1, 5_000, "the upstream is closed after the grace period");
    assertEquals(0, h.simulator.stats().completed());
    assertEquals(204, reconnect(client, uri, part.last().id(), e -> false).await().status(), "nothing left to resume");
    String metrics = client.get("/metrics").await().body();
    assertTrue(metrics.contains("relay_resumable_expired_total 1.0"), metrics);
  }

  @Test
  void deleteCancelsAtOnceAndAResumedConnectionEndsTyped(Vertx vertx) {
    RelayHarness h = RelayHarness.start(vertx);
    SseClient client = new SseClient(vertx, h.port);
    String uri = url("[sim tokens=400 paceMs=20]");
    SseClient.Result part = client.get(uri, after(2)).await();
    String streamId = part.headers().get("X-Stream-Id");
    Future<SseClient.Result> resumed = reconnect(client, uri, part.last().id(), e -> false);
    Await.until(() -> h.relay.health().resumes() == 1, 5_000, "the second connection resumed the stream");

    SseClient.Result deleted = client.send(HttpMethod.DELETE, "/api/v1/llm/streams/" + streamId, null, e -> false)
      .await();
    assertEquals(204, deleted.status());
    SseEvent end = resumed.await().last();
    assertEquals("error", end.event());
    assertEquals("cancelled", end.json().getString("type"));
    Await.until(() -> h.simulator.stats().aborted() == 1, 1_000, "the upstream is closed within a second");
    assertEquals(404, client.send(HttpMethod.DELETE, "/api/v1/llm/streams/" + streamId, null, e -> false)
      .await().status());
  }

  @Test
  void pastTheReplayBoundAResumeFromBeforeItGetsATypedError(Vertx vertx) {
    RelayHarness h = RelayHarness.start(vertx, c -> c.withStream(c.stream().withResume(30_000, 2_000)));
    SseClient client = new SseClient(vertx, h.port);
    String uri = url("[sim tokens=200 paceMs=0]");
    SseClient.Result part = client.get(uri, after(2)).await();
    // The provider read the whole answer (its admission place is free): the log holds only its newest part.
    Await.until(() -> h.simulator.stats().completed() == 1 && h.relay.health().openStreams() == 0, 5_000,
      "the whole answer was generated and read meanwhile");
    SseClient.Result tooLate = reconnect(client, uri, part.last().id(), e -> false).await();
    assertEquals(200, tooLate.status());
    assertEquals(1, tooLate.events().size(), tooLate.body());
    assertEquals("error", tooLate.last().event());
    assertEquals("bad_request", tooLate.last().json().getString("type"));
    assertEquals(410, tooLate.last().json().getInteger("status"));
    assertTrue(tooLate.last().json().getString("error").contains("no longer"), tooLate.body());
    // What is kept is the newest part: the end is still there.
    String lastKept = part.headers().get("X-Stream-Id") + ":201";
    assertEquals(part.headers().get("X-Stream-Id") + ":2", part.last().id());
    SseClient.Result end = reconnect(client, uri, lastKept, e -> false).await();
    assertEquals("[DONE]", end.last().json().getString("text"));
    assertEquals(1, end.events().size());
  }
}
