package dev.llmrelay.edge;

import dev.llmrelay.config.HttpConfig;
import dev.llmrelay.testing.Await;
import dev.llmrelay.testing.RelayHarness;
import dev.llmrelay.testing.SseClient;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetSocket;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Each input limit at its boundary: one over is a 400/413/414 JSON error naming the field, exactly at it goes through. */
@ExtendWith(VertxExtension.class)
class InputLimitsTest {

  static String messages(int count, int charsEach) {
    JsonArray list = new JsonArray();
    for (int i = 0; i < count; i++) {
      list.add(new JsonObject().put("role", i % 2 == 0 ? "user" : "assistant").put("content", "x".repeat(charsEach)));
    }
    return list.encode();
  }

  static void assertError(EdgeClient.Response r, int status, String field, String text) {
    assertEquals(status, r.status(), r.body());
    assertTrue(r.headers().get("Content-Type").startsWith("application/json"));
    assertEquals("bad_request", r.json().getString("type"));
    assertEquals(status, r.json().getInteger("status"));
    assertEquals(field, r.json().getString("field"));
    assertTrue(r.json().getString("error").contains(text), r.body());
  }

  @Test
  void messagesCharactersBytesUtf8AndJsonAreCheckedBeforeAnythingGoesUpstream(Vertx vertx) {
    RelayHarness h = RelayHarness.start(vertx, c -> {
      HttpConfig http = c.http();
      return c.withHttp(http.withInstances(1).withMaxRequestLineBytes(2048).withMaxBodyBytes(4096))
        .withSecurity(c.security().withInputLimits(3, 100));
    });
    EdgeClient client = new EdgeClient(vertx, h.port);
    Map<String, String> json = Map.of("Content-Type", "application/json");

    assertError(client.post("/api/v1/llm/complete", json, "{\"messages\":" + messages(4, 1) + "}").await(),
      413, "messages", "at most 3 messages");
    assertError(client.get(SseClient.query(messages(4, 1), null), Map.of()).await(), 413, "messages", "at most 3");
    assertError(client.post("/api/v1/llm/complete/stream", json, "{\"messages\":" + messages(2, 51) + "}").await(),
      413, "messages", "at most 100 characters");
    assertError(client.post("/api/v1/llm/complete", json, "{\"messages\":[{\"role\":\"user\",\"content\":\""
      + "x".repeat(5000) + "\"}]}").await(), 413, "body", "larger than the limit of 4096 bytes");
    assertError(client.get(SseClient.query(messages(1, 3000), null), Map.of()).await(), 414, "url", "longer than 2048");

    Buffer badUtf8 = Buffer.buffer("{\"messages\":[{\"role\":\"user\",\"content\":\"caf").appendByte((byte) 0xC3)
      .appendByte((byte) 0x28).appendString("\"}]}");
    assertError(client.send(HttpMethod.POST, "/api/v1/llm/complete", json, badUtf8).await(), 400, "body",
      "not valid UTF-8");
    assertError(client.get("/api/v1/llm/complete/stream?messages=%5B%7B%22role%22%3A%22user%22%2C%22content%22%3A%22"
      + "%ED%A0%80%22%7D%5D", Map.of()).await(), 400, "url", "not valid UTF-8");
    assertError(client.get("/api/v1/llm/complete/stream?messages=%E4%", Map.of()).await(), 400, "url",
      "malformed percent-encoding");
    assertError(client.post("/api/v1/llm/complete", json, "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]").await(),
      400, "body", "not valid JSON");
    assertError(client.post("/api/v1/llm/complete", json, "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}\u0000")
      .await(), 400, "body", "not valid JSON");
    assertError(client.post("/api/v1/llm/complete", json, "{\"messages\":" + "[".repeat(1500) + "]".repeat(1500) + "}")
      .await(), 400, "body", "not valid JSON");
    assertEquals(0, h.simulator.stats().requests());

    // Raw bytes that are not UTF-8 in the request line itself.
    NetSocket socket = vertx.createNetClient().connect(h.port, "127.0.0.1").await();
    Buffer received = Buffer.buffer();
    socket.handler(received::appendBuffer);
    socket.write(Buffer.buffer("GET /api/v1/llm/complete/stream?messages=").appendBytes(new byte[] {(byte) 0xFF,
      (byte) 0xFE}).appendString(" HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")).await();
    Await.until(() -> received.toString().contains("}"), 10_000, "the whole answer is read");
    assertTrue(received.toString().startsWith("HTTP/1.1 400"), received.toString());
    assertTrue(received.toString().contains("\"type\":\"bad_request\""), received.toString());
    assertEquals(0, h.simulator.stats().requests());

    // Exactly at the limits: through.
    assertEquals(200, client.post("/api/v1/llm/complete", json, "{\"messages\":" + messages(3, 33) + "}").await()
      .status());
    assertEquals(200, client.get(SseClient.query(messages(2, 50), null), Map.of()).await().status());
    assertEquals(2, h.simulator.stats().requests());
    assertEquals("x".repeat(50), h.simulator.stats().bodies().get(1).getJsonArray("messages").getJsonObject(1)
      .getString("content"));
  }
}
