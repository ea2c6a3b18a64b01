package dev.llmrelay.api;

import dev.llmrelay.config.RelayConfig;
import dev.llmrelay.config.StreamConfig;
import dev.llmrelay.config.UpstreamConfig;
import dev.llmrelay.testing.ClientLoop;
import dev.llmrelay.testing.RelayHarness;
import dev.llmrelay.testing.SseClient;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The idle timeout counts only while the client keeps up, so a slow reader is never taken for a
 * stalled upstream; the total limit ends long streams; keep-alive comments flow while a stream waits.
 */
@ExtendWith(VertxExtension.class)
class TimeoutsAndKeepAliveTest {

  private static RelayConfig timeouts(RelayConfig c, long idleMs, long totalMs, long keepAliveMs) {
    UpstreamConfig u = c.upstream();
    StreamConfig s = c.stream();
    return c.withUpstream(u.withTimeouts(u.firstByteTimeoutMs(), u.firstTokenTimeoutMs(), idleMs, totalMs))
      .withStream(s.withKeepAliveMs(keepAliveMs).withTickMs(50));
  }

  @Test
  void aStalledUpstreamTimesOutWhileASlowClientBesideItDoesNot(Vertx vertx) throws InterruptedException {
    RelayHarness h = RelayHarness.start(vertx, c -> timeouts(c, 400, 600_000, 15_000));
    SseClient client = new SseClient(vertx, h.port);

    // The slow client: reads one chunk, then stops reading for well over the idle timeout.
    int tokens = 40_000;
    HttpClient slowHttp = vertx.createHttpClient(new HttpClientOptions().setReceiveBufferSize(8 * 1024));
    Buffer slowBody = Buffer.buffer();
    Promise<Void> slowEnded = Promise.promise();
    String slowUri = SseClient.query(SseClient.userMessages("flood [sim tokens=" + tokens + "]"),
      new JsonObject().put("model", "sim/flood").encode());
    new ClientLoop(vertx).run(() -> slowHttp.request(HttpMethod.GET, h.port, "127.0.0.1", slowUri)
      .compose(req -> req.send()).onSuccess(resp -> {
      resp.handler(chunk -> {
        slowBody.appendBuffer(chunk);
        if (slowBody.length() == chunk.length()) {
          resp.pause();
          vertx.setTimer(1500, id -> resp.resume());
        }
      });
      resp.endHandler(v -> slowEnded.complete());
    }));

    SseClient.Result stalled = client.get(SseClient.query(SseClient.userMessages("x [sim tokens=10 errorAt=1]"),
      new JsonObject().put("model", "sim/stall").encode())).await();
    slowEnded.future().await();

    assertEquals("error", stalled.last().event());
    assertEquals("timeout", stalled.last().json().getString("type"));
    assertEquals("The ", stalled.text());

    String slow = slowBody.toString("UTF-8");
    assertEquals(16, h.relay.health().maxInFlight(), "the slow client used up the whole credit window");
    assertTrue(slow.contains("\"text\":\"[DONE]\""), "the slow client got the whole answer");
    assertTrue(!slow.contains("event: error"), "the slow client saw no error");
    assertEquals(tokens + 1, slow.split("\nevent: message\n", -1).length - 1);
    assertEquals(h.simulator.stats().streams().stream().filter(s -> s.scenario().equals("flood")).findFirst()
      .orElseThrow().text(), text(slow));
  }

  @Test
  void theTotalLimitEndsALongStreamWithATimeout(Vertx vertx) {
    RelayHarness h = RelayHarness.start(vertx, c -> timeouts(c, 60_000, 700, 15_000));
    SseClient.Result result = new SseClient(vertx, h.port)
      .get(SseClient.query(SseClient.userMessages("long [sim tokens=1000 paceMs=20]"), null)).await();
    assertEquals("error", result.last().event());
    JsonObject error = result.last().json();
    assertEquals("timeout", error.getString("type"));
    assertTrue(error.getString("error").contains("total time limit"), error.getString("error"));
    assertTrue(result.events().size() > 1 && result.events().size() < 1000);
  }

  @Test
  void keepAliveCommentsFlowWhileTheStreamWaitsForItsFirstToken(Vertx vertx) {
    RelayHarness h = RelayHarness.start(vertx, c -> timeouts(c, 60_000, 600_000, 150));
    SseClient.Result result = new SseClient(vertx, h.port)
      .get(SseClient.query(SseClient.userMessages("think [sim tokens=2 ttftMs=800]"), null)).await();
    String beforeFirstEvent = result.body().substring(0, result.body().indexOf("id: 1\n"));
    int comments = beforeFirstEvent.split(": keep-alive\n\n", -1).length - 1;
    assertTrue(comments >= 2, "keep-alive comments before the first token: " + comments + " in " + beforeFirstEvent);
    assertEquals("The quick ", result.text());
    assertEquals("[DONE]", result.last().json().getString("text"));
  }

  private static String text(String sse) {
    StringBuilder text = new StringBuilder();
    for (String block : sse.split("\n\n")) {
      int data = block.indexOf("data: ");
      if (data >= 0) {
        JsonObject json = new JsonObject(block.substring(data + 6));
        if (!"system".equals(json.getJsonObject("metadata").getString("provider"))) {
          text.append(json.getString("text"));
        }
      }
    }
    return text.toString();
  }
}
