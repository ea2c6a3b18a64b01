package dev.llmrelay.edge;

import com.anthropic.client.AnthropicClient;
import com.anthropic.errors.RateLimitException;
import com.anthropic.errors.UnauthorizedException;
import com.anthropic.models.messages.Message;
import dev.llmrelay.config.SecurityConfig;
import dev.llmrelay.testing.AnthropicSdk;
import dev.llmrelay.testing.Await;
import dev.llmrelay.testing.RelayHarness;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The edge on {@code /v1/messages}: the client key as Anthropic SDKs send it ({@code x-api-key}) or as a
 * bearer token, refusals in Anthropic's shape, and the key's limits counting these streams.
 */
@ExtendWith(VertxExtension.class)
class AnthropicAuthTest {

  private static final String KEY = "rk_live_9c2e4a6f8b1d3e5a7c9f";
  private static final SecurityConfig.Limits NO_LIMITS = new SecurityConfig.Limits(0, 0, 0);

  @Test
  void theKeyComesAsXApiKeyOrBearerAndARefusalIsAnAnthropicError(Vertx vertx) {
    RelayHarness h = RelayHarness.start(vertx, c -> EdgeClient.withKey(c, "alice", KEY, NO_LIMITS));
    EdgeClient http = new EdgeClient(vertx, h.port);
    AnthropicClient sdk = AnthropicSdk.client(h.port, KEY);
    AnthropicClient wrong = AnthropicSdk.client(h.port, KEY + "x");
    try {
      Message answer = sdk.messages().create(AnthropicSdk.ask("openai/gpt-4o", "hi [sim tokens=2 paceMs=0]").build());
      assertEquals("The quick ", answer.content().get(0).asText().text());
      UnauthorizedException refused = assertThrows(UnauthorizedException.class,
        () -> wrong.messages().create(AnthropicSdk.ask("openai/gpt-4o", "hi").build()));
      assertEquals("authentication_error", refused.type().orElseThrow().asString());
      assertTrue(refused.apiMessage().orElseThrow().startsWith("Missing or invalid client key"));
    } finally {
      sdk.close();
      wrong.close();
    }

    EdgeClient.Response bearer = http.post("/v1/messages", EdgeClient.bearer(KEY), body("hi [sim tokens=1 paceMs=0]"))
      .await();
    assertEquals(200, bearer.status(), bearer.body());
    assertEquals("message", bearer.json().getString("type"));

    EdgeClient.Response none = http.post("/v1/messages", Map.of("Content-Type", "application/json"), body("hi")).await();
    assertEquals(401, none.status());
    assertEquals("Bearer realm=\"llm-relay\"", none.headers().get("WWW-Authenticate"));
    assertEquals("authentication_error", none.json().getJsonObject("error").getString("type"));
    assertEquals("error", none.json().getString("type"));

    // x-api-key is the Anthropic endpoint's convention, not the OpenAI one's.
    EdgeClient.Response openAi = http.post("/v1/chat/completions", Map.of("x-api-key", KEY), new JsonObject()
      .put("messages", new JsonArray().add(new JsonObject().put("role", "user").put("content", "hi"))).encode()).await();
    assertEquals(401, openAi.status());
    assertEquals("invalid_api_key", openAi.json().getJsonObject("error").getString("code"));
    assertEquals(2, h.simulator.stats().requests());
  }

  @Test
  void aKeysConcurrentStreamLimitCountsMessagesStreams(Vertx vertx) {
    RelayHarness h = RelayHarness.start(vertx,
      c -> EdgeClient.withKey(c, "conc", KEY, new SecurityConfig.Limits(0, 1, 0)));
    EdgeClient http = new EdgeClient(vertx, h.port);
    AnthropicClient sdk = AnthropicSdk.client(h.port, KEY);
    // The SDK's first call loads much of it; done with a refused key first, it cannot outlast the slow stream.
    AnthropicClient wrong = AnthropicSdk.client(h.port, KEY + "x");
    assertThrows(UnauthorizedException.class, () -> wrong.messages().create(AnthropicSdk.ask("m", "hi").build()));
    wrong.close();
    Future<EdgeClient.Response> first = http.post("/v1/messages", Map.of("x-api-key", KEY),
      new JsonObject(body("slow [sim tokens=100 paceMs=20]")).put("stream", true).encode());
    Await.until(() -> h.simulator.stats().started() == 1, 5000, "the first stream started");

    try {
      RateLimitException limited = assertThrows(RateLimitException.class,
        () -> sdk.messages().create(AnthropicSdk.ask("openai/gpt-4o", "second").build()));
      assertEquals("rate_limit_error", limited.type().orElseThrow().asString());
      assertTrue(limited.apiMessage().orElseThrow().contains("concurrent"), limited.apiMessage().orElseThrow());
    } finally {
      sdk.close();
    }

    EdgeClient.Response done = first.await();
    assertEquals(200, done.status());
    assertTrue(done.body().endsWith("event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n"), done.body());
    assertEquals(1, h.simulator.stats().requests());
  }

  private static String body(String text) {
    return new JsonObject().put("model", "openai/gpt-4o").put("max_tokens", 32)
      .put("messages", new JsonArray().add(new JsonObject().put("role", "user").put("content", text))).encode();
  }
}
