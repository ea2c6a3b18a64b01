package dev.llmrelay.edge;

import dev.llmrelay.config.RelayConfig;
import dev.llmrelay.config.SecurityConfig;
import dev.llmrelay.testing.RelayHarness;
import dev.llmrelay.testing.SseClient;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Client keys and browser tokens, end to end: who gets in, who gets a 401, and that a refused request never goes upstream. */
@ExtendWith(VertxExtension.class)
class AuthTest {

  static final String KEY = "rk_live_3f9a1c7e5b2d4f6a8c0e";
  static final SecurityConfig.Limits NO_LIMITS = new SecurityConfig.Limits(0, 0, 0);
  static final String BODY = new JsonObject()
    .put("messages", new io.vertx.core.json.JsonArray(SseClient.userMessages("hi [sim tokens=3 paceMs=0]"))).encode();

  @Test
  void everyApiEndpointRefusesAMissingOrWrongKeyWith401AndNothingReachesTheSimulator(Vertx vertx) {
    RelayHarness h = RelayHarness.start(vertx, c -> EdgeClient.withKey(c, "alice", KEY, NO_LIMITS));
    EdgeClient client = new EdgeClient(vertx, h.port);
    String streamGet = SseClient.query(SseClient.userMessages("hi"), null);
    List<Map<String, String>> badCredentials = List.of(
      Map.of(),
      Map.of("Authorization", "Bearer wrong-key"),
      Map.of("Authorization", "Bearer " + KEY + "x"),
      Map.of("Authorization", "Basic " + KEY),
      Map.of("Authorization", "Bearer "),
      Map.of("Authorization", "Bearer " + ClientKeys.sha256Hex(KEY)));
    int refused = 0;
    for (Map<String, String> headers : badCredentials) {
      for (EdgeClient.Response r : List.of(
        client.get(streamGet, headers).await(),
        client.get(streamGet + "&key=" + KEY + "&token=" + KEY, headers).await(),
        client.post("/api/v1/llm/complete/stream", headers, BODY).await(),
        client.post("/api/v1/llm/complete", headers, BODY).await(),
        client.get("/api/v1/llm/models", headers).await(),
        client.post("/api/v1/llm/token", headers, "").await(),
        client.get("/api/v1/llm/complete/stream?options=%7B%7D", headers).await())) {
        assertEquals(401, r.status(), r.body());
        assertEquals("auth", r.json().getString("type"));
        assertEquals(401, r.json().getInteger("status"));
        assertTrue(r.json().getString("error").startsWith("Missing or invalid client key"), r.body());
        assertEquals("Bearer realm=\"llm-relay\"", r.headers().get("WWW-Authenticate"));
        refused++;
      }
      // The OpenAI-compatible API answers in OpenAI's error shape, so its SDKs raise AuthenticationError.
      for (EdgeClient.Response r : List.of(
        client.post("/v1/chat/completions", headers, BODY).await(),
        client.get("/v1/models", headers).await())) {
        assertEquals(401, r.status(), r.body());
        JsonObject error = r.json().getJsonObject("error");
        assertEquals("authentication_error", error.getString("type"));
        assertTrue(error.getString("message").startsWith("Missing or invalid client key"), r.body());
        refused++;
      }
    }
    assertEquals(54, refused);
    assertEquals(0, h.simulator.stats().requests());

    EdgeClient.Response ok = client.post("/api/v1/llm/complete", EdgeClient.bearer(KEY), BODY).await();
    assertEquals(200, ok.status(), ok.body());
    assertEquals("The quick brown ", ok.json().getString("text"));
    assertEquals(1, h.simulator.stats().requests());
  }

  @Test
  void theBrowserTradesItsKeyForAShortLivedTokenThatOnlyTheEventSourceGetAccepts(Vertx vertx) {
    AtomicLong now = new AtomicLong(1_800_000_000_000L);
    RelayHarness h = RelayHarness.start(vertx, c -> EdgeClient.withKey(c, "web", KEY, NO_LIMITS), now::get);
    EdgeClient client = new EdgeClient(vertx, h.port);

    EdgeClient.Response minted = client.post("/api/v1/llm/token", EdgeClient.bearer(KEY), "").await();
    assertEquals(200, minted.status());
    assertEquals("no-store", minted.headers().get("Cache-Control"));
    String token = minted.json().getString("token");
    assertEquals(now.get() + 300_000, minted.json().getLong("expiresAt"));
    assertEquals(300_000, minted.json().getLong("expiresInMs"));
    assertTrue(!token.contains(KEY) && !token.contains(ClientKeys.sha256Hex(KEY)), token);

    String stream = SseClient.query(SseClient.userMessages("hi [sim tokens=4 paceMs=0]"), null) + "&token="
      + URLEncoder.encode(token, StandardCharsets.UTF_8);
    SseClient.Result result = new SseClient(vertx, h.port).get(stream).await();
    assertEquals(200, result.status());
    assertEquals("The quick brown fox ", result.text());
    assertEquals(1, h.simulator.stats().requests());

    // Only the EventSource GET takes a token, and never as a key.
    assertEquals(401, client.post("/api/v1/llm/complete?token=" + token, Map.of(), BODY).await().status());
    assertEquals(401, client.post("/api/v1/llm/complete", EdgeClient.bearer(token), BODY).await().status());
    assertEquals(401, client.get("/api/v1/llm/models?token=" + token, Map.of()).await().status());
    assertEquals(401, client.post("/api/v1/llm/token?token=" + token, Map.of(), "").await().status());
    // A token altered anywhere is refused.
    String tampered = token.substring(0, token.length() - 2) + (token.endsWith("A") ? "BB" : "AA");
    assertEquals(401, client.get(stream.replace(URLEncoder.encode(token, StandardCharsets.UTF_8), tampered),
      Map.of()).await().status());
    // It expires after its lifetime.
    now.addAndGet(299_999);
    assertEquals(200, client.get(stream, Map.of()).await().status());
    now.addAndGet(1);
    EdgeClient.Response expired = client.get(stream, Map.of()).await();
    assertEquals(401, expired.status());
    assertEquals("auth", expired.json().getString("type"));
    assertEquals(2, h.simulator.stats().requests());
  }

  @Test
  void healthAndThePageArePublicMetricsNeedAKeyAndEveryResponseCarriesSecurityHeaders(Vertx vertx) {
    RelayHarness h = RelayHarness.start(vertx, c -> EdgeClient.withKey(c, "ops", KEY, NO_LIMITS));
    EdgeClient client = new EdgeClient(vertx, h.port);

    EdgeClient.Response page = client.get("/", Map.of()).await();
    assertEquals(200, page.status());
    assertTrue(page.headers().get("Content-Type").startsWith("text/html"));
    assertEquals(h.relay.config().security().contentSecurityPolicy(), page.headers().get("Content-Security-Policy"));
    assertTrue(page.headers().get("Content-Security-Policy").contains("connect-src 'self'"));
    assertTrue(page.headers().get("Content-Security-Policy").contains("script-src 'self'"));
    assertEquals("nosniff", page.headers().get("X-Content-Type-Options"));
    assertEquals("DENY", page.headers().get("X-Frame-Options"));
    assertEquals("no-referrer", page.headers().get("Referrer-Policy"));
    assertTrue(page.headers().get("X-Request-Id").matches("[0-9a-f]{16}"));

    EdgeClient.Response live = client.get("/health/live", Map.of()).await();
    assertEquals(200, live.status());
    assertEquals(new JsonObject().put("live", true), live.json());
    EdgeClient.Response ready = client.get("/health/ready", Map.of()).await();
    assertEquals(200, ready.status());
    assertEquals(true, ready.json().getBoolean("ready"));
    assertEquals(new JsonArray(), ready.json().getJsonObject("upstream").getJsonArray("routes"),
      "no stream has run yet: no route is known");
    assertEquals(200, client.get("/health", Map.of()).await().status());

    EdgeClient.Response metrics = client.get("/metrics", Map.of()).await();
    assertEquals(401, metrics.status());
    assertEquals("nosniff", metrics.headers().get("X-Content-Type-Options"));
    assertEquals(200, client.get("/metrics", EdgeClient.bearer(KEY)).await().status());
    // A request id from a balancer is kept when it is safe to log, replaced when it is not.
    assertEquals("lb-42.a_b", client.get("/health/live", Map.of("X-Request-Id", "lb-42.a_b")).await()
      .headers().get("X-Request-Id"));
    assertTrue(client.get("/health/live", Map.of("X-Request-Id", "x\"}{y")).await()
      .headers().get("X-Request-Id").matches("[0-9a-f]{16}"));
    assertEquals(0, h.simulator.stats().requests());
  }

  @Test
  void corsIsOffByDefaultAndAnswersOnlyConfiguredOrigins(Vertx vertx) {
    RelayHarness closed = RelayHarness.start(vertx, c -> EdgeClient.withKey(c, "app", KEY, NO_LIMITS));
    EdgeClient client = new EdgeClient(vertx, closed.port);
    Map<String, String> fromApp = Map.of("Origin", "https://app.example", "Authorization", "Bearer " + KEY);
    EdgeClient.Response noCors = client.get("/api/v1/llm/models", fromApp).await();
    assertEquals(200, noCors.status());
    assertNull(noCors.headers().get("Access-Control-Allow-Origin"));

    RelayHarness open = RelayHarness.start(vertx, c -> {
      RelayConfig keyed = EdgeClient.withKey(c, "app", KEY, NO_LIMITS);
      return keyed.withSecurity(keyed.security().withCors(
        new SecurityConfig.Cors(List.of("https://app.example"), false, 600)));
    });
    EdgeClient cors = new EdgeClient(vertx, open.port);
    EdgeClient.Response preflight = cors.send(HttpMethod.OPTIONS, "/api/v1/llm/complete/stream",
      Map.of("Origin", "https://app.example", "Access-Control-Request-Method", "POST",
        "Access-Control-Request-Headers", "authorization,content-type"), null).await();
    assertEquals(204, preflight.status(), preflight.body());
    assertEquals("https://app.example", preflight.headers().get("Access-Control-Allow-Origin"));
    assertTrue(preflight.headers().get("Access-Control-Allow-Headers").contains("Authorization"));
    assertEquals("600", preflight.headers().get("Access-Control-Max-Age"));

    EdgeClient.Response allowed = cors.get("/api/v1/llm/models", fromApp).await();
    assertEquals(200, allowed.status());
    assertEquals("https://app.example", allowed.headers().get("Access-Control-Allow-Origin"));
    assertTrue(allowed.headers().get("Access-Control-Expose-Headers").contains("Retry-After"));

    EdgeClient.Response other = cors.get("/api/v1/llm/models",
      Map.of("Origin", "https://evil.example", "Authorization", "Bearer " + KEY)).await();
    assertEquals(403, other.status());
    assertNull(other.headers().get("Access-Control-Allow-Origin"));
    assertEquals(0, open.simulator.stats().requests());
  }
}
