package dev.llmrelay.api;

import dev.llmrelay.testing.Await;
import dev.llmrelay.testing.RelayHarness;
import dev.llmrelay.testing.SseClient;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A client that leaves closes the upstream within 1 s, whatever stage the stream is in, and the
 * relay keeps no state for it afterwards.
 */
@ExtendWith(VertxExtension.class)
class CancellationTest {

  @Test
  void whileTheUpstreamRequestIsOpening(Vertx vertx) {
    RelayHarness h = RelayHarness.start(vertx);
    leaveWhen(vertx, h, HttpMethod.GET, "sim/hang", "", () -> h.simulator.stats().requests() == 1);
    assertUpstreamAbortedAndNoStateLeft(h);
    assertEquals(0, h.simulator.stats().started(), "the upstream never answered");
  }

  @Test
  void beforeTheFirstToken(Vertx vertx) {
    RelayHarness h = RelayHarness.start(vertx);
    leaveWhen(vertx, h, HttpMethod.GET, "openai/gpt-4o", "[sim ttftMs=20000]", () -> h.simulator.stats().started() == 1);
    assertUpstreamAbortedAndNoStateLeft(h);
    assertEquals(0, h.simulator.stats().streams().get(0).written());
  }

  @Test
  void midStream(Vertx vertx) {
    RelayHarness h = RelayHarness.start(vertx);
    AtomicInteger received = new AtomicInteger();
    leaveAfterEvents(vertx, h, received, 3);
    assertUpstreamAbortedAndNoStateLeft(h);
    int written = h.simulator.stats().streams().get(0).written();
    assertTrue(written >= 3 && written < 200, "the upstream stopped early: " + written + " of 200 tokens");
  }

  @Test
  void onThePostStreamBeforeTheHead(Vertx vertx) {
    RelayHarness h = RelayHarness.start(vertx);
    leaveWhen(vertx, h, HttpMethod.POST, "sim/hang", "", () -> h.simulator.stats().requests() == 1);
    assertUpstreamAbortedAndNoStateLeft(h);
  }

  @Test
  void onTheNonStreamingEndpointMidAnswer(Vertx vertx) {
    RelayHarness h = RelayHarness.start(vertx);
    HttpClient http = vertx.createHttpClient();
    String body = body("openai/gpt-4o", "[sim tokens=500 paceMs=20]");
    HttpClientRequestCloser.open(http, h.port, HttpMethod.POST, "/api/v1/llm/complete", body);
    Await.until(() -> h.simulator.stats().streams().size() == 1 && h.simulator.stats().streams().get(0).written() >= 2,
      5000, "the upstream is streaming");
    http.close().await();
    assertUpstreamAbortedAndNoStateLeft(h);
  }

  @Test
  void duringARetryBackoffNoFurtherAttemptIsMade(Vertx vertx) throws InterruptedException {
    RelayHarness h = RelayHarness.start(vertx);
    leaveWhen(vertx, h, HttpMethod.GET, "sim/unavailable", "[sim retryAfter=1]",
      () -> h.simulator.stats().requests() == 1 && h.simulator.stats().completed() == 1);
    Await.until(() -> h.relay.health().openStreams() == 0 && h.relay.health().clientStreams() == 0, 1000,
      "the stream is forgotten");
    // The retry was due 1 s after the 503; wait past it to show it never happened.
    Thread.sleep(1500);
    assertEquals(1, h.simulator.stats().requests());
  }

  private static void leaveAfterEvents(Vertx vertx, RelayHarness h, AtomicInteger received, int events) {
    SseClient client = new SseClient(vertx, h.port);
    SseClient.Result result = client.get(SseClient.query(SseClient.userMessages("go [sim tokens=200 paceMs=50]"), null),
      list -> list.size() >= events).await();
    received.set(result.events().size());
    assertTrue(result.closedByUs());
  }

  private static void leaveWhen(Vertx vertx, RelayHarness h, HttpMethod method, String model, String directive,
                                BooleanSupplier stage) {
    HttpClient http = vertx.createHttpClient();
    if (method == HttpMethod.GET) {
      String options = new JsonObject().put("model", model).encode();
      HttpClientRequestCloser.open(http, h.port, method,
        SseClient.query(SseClient.userMessages("hello " + directive), options), null);
    } else {
      HttpClientRequestCloser.open(http, h.port, method, "/api/v1/llm/complete/stream", body(model, directive));
    }
    Await.until(stage, 5000, "the stream reached the stage under test");
    http.close().await();
  }

  private static String body(String model, String directive) {
    return new JsonObject()
      .put("messages", new io.vertx.core.json.JsonArray(SseClient.userMessages("hello " + directive)))
      .put("options", new JsonObject().put("model", model)).encode();
  }

  private static void assertUpstreamAbortedAndNoStateLeft(RelayHarness h) {
    Await.until(() -> h.simulator.stats().aborted() == 1, 1000, "the simulator saw the upstream connection close");
    Await.until(() -> h.relay.health().openStreams() == 0 && h.relay.health().clientStreams() == 0, 1000,
      "the relay holds no stream state");
  }

  /** Sends a request and keeps reading whatever comes, until the test closes the client. */
  private static final class HttpClientRequestCloser {
    static void open(HttpClient http, int port, HttpMethod method, String uri, String body) {
      RequestOptions options = new RequestOptions().setMethod(method).setHost("127.0.0.1").setPort(port).setURI(uri);
      http.request(options).compose(req -> body == null ? req.send() : req.send(Buffer.buffer(body)))
        .onSuccess(HttpClientResponse::resume);
    }
  }
}
