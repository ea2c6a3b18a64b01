package dev.llmrelay.edge;

import dev.llmrelay.config.SecurityConfig;
import dev.llmrelay.testing.Await;
import dev.llmrelay.testing.RelayHarness;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The edge on {@code /v1/responses}: a missing key is refused in OpenAI's shape, and the key's concurrent-stream
 * limit counts these streams.
 */
@ExtendWith(VertxExtension.class)
class ResponsesEdgeTest {

  private static final String KEY = "rk_live_9c2e4a6f8b1d3e5a7c9f";

  @Test
  void aMissingKeyIsAnOpenAiErrorAndTheConcurrentStreamLimitCountsResponsesStreams(Vertx vertx) {
    RelayHarness h = RelayHarness.start(vertx,
      c -> EdgeClient.withKey(c, "conc", KEY, new SecurityConfig.Limits(0, 1, 0)));
    EdgeClient http = new EdgeClient(vertx, h.port);

    EdgeClient.Response none = http.post("/v1/responses", Map.of("Content-Type", "application/json"), body("hi"))
      .await();
    assertEquals(401, none.status());
    assertEquals(new JsonObject().put("type", "authentication_error").put("code", "invalid_api_key"),
      new JsonObject().put("type", none.json().getJsonObject("error").getString("type"))
        .put("code", none.json().getJsonObject("error").getString("code")));

    Future<EdgeClient.Response> first = http.post("/v1/responses", EdgeClient.bearer(KEY),
      new JsonObject(body("slow [sim tokens=100 paceMs=20]")).put("stream", true).encode());
    Await.until(() -> h.simulator.stats().started() == 1, 5000, "the first stream started");
    EdgeClient.Response second = http.post("/v1/responses", EdgeClient.bearer(KEY), body("second")).await();
    assertEquals(429, second.status(), second.body());
    assertEquals("rate_limit_error", second.json().getJsonObject("error").getString("type"));
    assertTrue(second.json().getJsonObject("error").getString("message").contains("concurrent"), second.body());

    EdgeClient.Response done = first.await();
    assertEquals(200, done.status());
    assertTrue(done.body().contains("event: response.completed\n"), done.body());
    assertEquals(1, h.simulator.stats().requests());
  }

  private static String body(String input) {
    return new JsonObject().put("model", "openai/gpt-4o").put("input", input).encode();
  }
}
