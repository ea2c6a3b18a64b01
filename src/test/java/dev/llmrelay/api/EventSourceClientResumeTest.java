package dev.llmrelay.api;

import com.launchdarkly.eventsource.ErrorStrategy;
import com.launchdarkly.eventsource.EventSource;
import com.launchdarkly.eventsource.MessageEvent;
import dev.llmrelay.simulator.Simulator;
import dev.llmrelay.testing.Await;
import dev.llmrelay.testing.CuttableProxy;
import dev.llmrelay.testing.RelayHarness;
import dev.llmrelay.testing.SseClient;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A real EventSource client library (LaunchDarkly's okhttp-eventsource), not a hand-written parser,
 * reading a resumable stream through a TCP hop that drops every connection mid-answer: it reconnects
 * by itself with {@code Last-Event-ID}, and the answer arrives whole, each token once, from one
 * upstream request.
 */
@ExtendWith(VertxExtension.class)
class EventSourceClientResumeTest {

  @Test
  void aLibraryEventSourceReconnectsByItselfAndGetsTheWholeAnswerOnce(Vertx vertx) throws Exception {
    RelayHarness h = RelayHarness.start(vertx);
    try (CuttableProxy proxy = CuttableProxy.start(vertx, h.port)) {
      String path = SseClient.query(SseClient.userMessages("go [sim tokens=60 paceMs=25]"),
        new JsonObject().put("model", "m/any").put("resume", true).encode());
      List<String> texts = new ArrayList<>();
      List<String> ids = new ArrayList<>();
      try (EventSource source = new EventSource.Builder(URI.create("http://127.0.0.1:" + proxy.port() + path))
        .errorStrategy(ErrorStrategy.continueWithMaxAttempts(5))
        .retryDelay(100, TimeUnit.MILLISECONDS)
        .build()) {
        for (MessageEvent event : source.messages()) {
          JsonObject json = new JsonObject(event.getData());
          ids.add(event.getLastEventId());
          if (event.getEventName().equals("stream")) {
            continue;
          }
          if ("[DONE]".equals(json.getString("text"))) {
            break;
          }
          texts.add(json.getString("text"));
          if (texts.size() == 10 || texts.size() == 35) {
            proxy.cut();
          }
        }
      }
      assertEquals(Simulator.normalAnswer(60), String.join("", texts));
      assertEquals(62, ids.size(), "the stream event, 60 tokens and [DONE], each once");
      String streamId = ids.get(0).substring(0, ids.get(0).indexOf(':'));
      for (int i = 0; i < ids.size(); i++) {
        assertEquals(streamId + ":" + (i + 1), ids.get(i), "event " + i);
      }
      assertTrue(proxy.accepted() >= 3, "it reconnected after each cut: " + proxy.accepted() + " connections");
      assertEquals(1, h.simulator.stats().requests(), "one generation");
      Await.until(() -> h.relay.health().resumes() >= 2, 5_000, "both reconnects resumed the stream");
    }
  }
}
