package dev.llmrelay.edge;

import dev.llmrelay.config.ConfigLoader;
import dev.llmrelay.config.HttpConfig;
import dev.llmrelay.config.RelayConfig;
import dev.llmrelay.testing.Chunked;
import dev.llmrelay.testing.RelayHarness;
import dev.llmrelay.testing.SseClient;
import io.micrometer.core.instrument.Counter;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Clients that keep the relay waiting are closed, over raw sockets so the close itself is visible: a
 * connection that sends nothing, half a head, a head trickled byte by byte, an unfinished body, or nothing
 * after its response. Each close comes no earlier than its bound and is counted under its reason. And
 * nothing is cut while the relay owes the answer: an SSE stream and a non-streaming answer whose tokens
 * come slower than every bound arrive whole, and a body trickled with steady progress is answered.
 */
@ExtendWith(VertxExtension.class)
class SlowClientTest {

  private static final long HEADER_MS = 400;
  private static final long BODY_MS = 600;
  private static final long KEEP_ALIVE_MS = 400;
  /** Longer than every bound above, so the relay goes quiet towards the client for longer than each. */
  private static final long SLOW_TOKEN_MS = 1_000;
  /** A generous ceiling for a close, only so that a relay that never closes fails instead of hanging. */
  private static final int READ_TIMEOUT_MS = 10_000;

  private static RelayHarness start(Vertx vertx) {
    return RelayHarness.start(vertx, c -> {
      // Through the configuration's JSON, by the names an operator writes.
      JsonObject json = ConfigLoader.toJson(c);
      json.getJsonObject("http").put("headerTimeoutMs", HEADER_MS).put("bodyTimeoutMs", BODY_MS)
        .put("keepAliveTimeoutMs", KEEP_ALIVE_MS);
      json.getJsonObject("stream").put("keepAliveMs", 150);
      return ConfigLoader.fromJson(json, RelayConfig.class);
    });
  }

  @Test
  void aConnectionThatSendsNothingIsClosedAfterTheHeaderTimeout(Vertx vertx) throws IOException {
    RelayHarness h = start(vertx);
    // Taken before connecting: the relay's timer starts when it accepts, which may be before connect() returns.
    long start = System.nanoTime();
    try (Socket socket = connect(h.port)) {
      assertEquals(-1, readOrReset(socket.getInputStream()), "nothing is said, the connection is closed");
      assertNotBefore(HEADER_MS, start, "the silent connection's close");
    }
    assertEquals(1, timeouts(h, "header"));
  }

  @Test
  void halfARequestHeadIsClosedAfterTheHeaderTimeout(Vertx vertx) throws IOException {
    RelayHarness h = start(vertx);
    long start = System.nanoTime();
    try (Socket socket = connect(h.port)) {
      socket.getOutputStream().write("GET /health/live HTTP/1.1\r\nHost: 127".getBytes(StandardCharsets.US_ASCII));
      assertEquals(-1, readOrReset(socket.getInputStream()));
      assertNotBefore(HEADER_MS, start, "the half head's close");
    }
    assertEquals(1, timeouts(h, "header"));
  }

  @Test
  void aHeadTrickledAByteAtATimeIsClosedAfterTheHeaderTimeoutThoughBytesKeepComing(Vertx vertx) throws IOException {
    RelayHarness h = start(vertx);
    // 100 ms a byte: well over 4 s for the whole head, ten times the header timeout.
    byte[] head = ("GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + "s".repeat(40) + "\r\n\r\n")
      .getBytes(StandardCharsets.US_ASCII);
    long start = System.nanoTime();
    try (Socket socket = connect(h.port)) {
      OutputStream out = socket.getOutputStream();
      InputStream in = socket.getInputStream();
      socket.setSoTimeout(100);
      int sent = 0;
      boolean closed = false;
      while (!closed && sent < head.length) {
        try {
          out.write(head[sent++]);
          closed = in.read() == -1;
          assertTrue(closed, "no answer to a head that is not complete");
        } catch (SocketTimeoutException stillOpen) {
          // the pace: the next byte
        } catch (SocketException reset) {
          closed = true;
        }
      }
      assertTrue(closed, "closed before the head was complete: " + sent + " of " + head.length + " bytes sent");
      assertNotBefore(HEADER_MS, start, "the trickled head's close");
    }
    assertEquals(1, timeouts(h, "header"));
  }

  @Test
  void aStalledBodyIsClosedAfterTheBodyTimeout(Vertx vertx) throws IOException {
    RelayHarness h = start(vertx);
    String body = completionBody("never finished [sim tokens=3]");
    try (Socket socket = connect(h.port)) {
      OutputStream out = socket.getOutputStream();
      out.write((post("/api/v1/llm/complete/stream", body.length(), false) + body.substring(0, body.length() / 2))
        .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      long lastByte = System.nanoTime();
      assertEquals(-1, readOrReset(socket.getInputStream()), "closed without an answer");
      assertNotBefore(BODY_MS, lastByte, "the stalled body's close");
    }
    assertEquals(1, timeouts(h, "body"));
    assertEquals(0, timeouts(h, "header"));
    assertEquals(0, h.simulator.stats().requests());
  }

  @Test
  void anIdleKeepAliveConnectionIsClosedAfterItsTimeoutAndServesRequestsBeforeIt(Vertx vertx) throws IOException {
    RelayHarness h = start(vertx);
    try (Socket socket = connect(h.port)) {
      OutputStream out = socket.getOutputStream();
      InputStream in = socket.getInputStream();
      out.write("GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      assertTrue(readHead(in).startsWith("HTTP/1.1 200"));
      in.readNBytes("{\"live\":true}".length());

      long requested = System.nanoTime();
      out.write("GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      assertTrue(readHead(in).startsWith("HTTP/1.1 200"), "the same connection serves the next request");
      assertEquals("{\"live\":true}", new String(in.readNBytes(13), StandardCharsets.US_ASCII));

      assertEquals(-1, readOrReset(in), "then, idle, it is closed");
      assertNotBefore(KEEP_ALIVE_MS, requested, "the idle connection's close");
    }
    assertEquals(1, timeouts(h, "keepalive"));
    assertEquals(0, timeouts(h, "header"));
  }

  @Test
  void anSseStreamSlowerThanEveryBoundArrivesWhole(Vertx vertx) {
    RelayHarness h = start(vertx);
    long start = System.nanoTime();
    SseClient.Result result = new SseClient(vertx, h.port).get(SseClient.query(
      SseClient.userMessages("slow [sim tokens=3 ttftMs=" + SLOW_TOKEN_MS + " paceMs=" + SLOW_TOKEN_MS + "]"),
      null)).await();
    assertNotBefore(3 * SLOW_TOKEN_MS, start, "the slow stream");

    assertEquals(200, result.status());
    assertEquals("The quick brown ", result.text());
    assertEquals(h.simulator.stats().streams().get(0).text(), result.text());
    assertEquals("[DONE]", result.last().json().getString("text"));
    assertTrue(result.body().contains(": keep-alive\n\n"), "keep-alive comments while the tokens were slow");
    assertEquals(0, timeouts(h, "header") + timeouts(h, "body"));
  }

  @Test
  void aNonStreamingAnswerSlowerThanEveryBoundArrivesWhole(Vertx vertx) {
    RelayHarness h = start(vertx);
    // Nothing at all goes to the client until the whole answer is there: the longest silence the relay keeps.
    EdgeClient.Response response = new EdgeClient(vertx, h.port).post("/api/v1/llm/complete", Map.of(),
      completionBody("slow [sim tokens=2 ttftMs=" + SLOW_TOKEN_MS + " paceMs=" + SLOW_TOKEN_MS + "]")).await();
    assertEquals(200, response.status(), response.body());
    assertEquals("The quick ", response.json().getString("text"));
    assertEquals(0, timeouts(h, "header") + timeouts(h, "body"));
  }

  @Test
  void aBodyTrickledWithSteadyProgressGetsItsAnswer(Vertx vertx) throws IOException {
    RelayHarness h = start(vertx);
    // 8 bytes every 60 ms: about 4 s for the body, several body timeouts long, never a pause near one.
    String body = completionBody("trickled " + "t".repeat(300) + " [sim tokens=3]");
    byte[] bytes = body.getBytes(StandardCharsets.US_ASCII);
    try (Socket socket = connect(h.port)) {
      OutputStream out = socket.getOutputStream();
      long start = System.nanoTime();
      out.write(post("/api/v1/llm/complete/stream", bytes.length, true).getBytes(StandardCharsets.US_ASCII));
      for (int i = 0; i < bytes.length; i += 8) {
        out.write(bytes, i, Math.min(8, bytes.length - i));
        out.flush();
        sleep(60);
      }
      assertNotBefore(3 * BODY_MS, start, "the trickle");

      InputStream in = socket.getInputStream();
      String head = readHead(in);
      assertTrue(head.startsWith("HTTP/1.1 200"), head);
      assertTrue(head.toLowerCase(Locale.ROOT).contains("transfer-encoding: chunked"), head);
      String events = dechunk(in.readAllBytes());
      assertEquals("The quick brown ", SseClient.text(SseClient.events(events)));
      assertTrue(events.contains("\"text\":\"[DONE]\""), events);
    }
    assertEquals(0, timeouts(h, "body") + timeouts(h, "header"));
  }

  @Test
  void aConfigurationWithoutTheClientTimeoutsLoadsWithTheDefaults() throws IOException {
    JsonObject shipped = new JsonObject(Files.readString(Path.of(ConfigLoader.DEFAULT_FILE)));
    HttpConfig http = ConfigLoader.fromJson(shipped, RelayConfig.class).http();
    assertEquals(30_000, http.headerTimeoutMs());
    assertEquals(30_000, http.bodyTimeoutMs());
    assertEquals(60_000, http.keepAliveTimeoutMs());

    JsonObject older = shipped.copy();
    older.getJsonObject("http").remove("headerTimeoutMs");
    older.getJsonObject("http").remove("bodyTimeoutMs");
    older.getJsonObject("http").remove("keepAliveTimeoutMs");
    HttpConfig defaults = ConfigLoader.fromJson(older, RelayConfig.class).http();
    assertEquals(HttpConfig.DEFAULT_HEADER_TIMEOUT_MS, defaults.headerTimeoutMs());
    assertEquals(HttpConfig.DEFAULT_BODY_TIMEOUT_MS, defaults.bodyTimeoutMs());
    assertEquals(HttpConfig.DEFAULT_KEEP_ALIVE_TIMEOUT_MS, defaults.keepAliveTimeoutMs());
  }

  private static double timeouts(RelayHarness h, String reason) {
    Counter counter = h.relay.edge().registry().find("relay.client.timeouts").tag("reason", reason).counter();
    return counter == null ? 0 : counter.count();
  }

  private static void assertNotBefore(long boundMs, long startNanos, String what) {
    long ms = (System.nanoTime() - startNanos) / 1_000_000;
    assertTrue(ms >= boundMs, what + " after " + ms + " ms, before " + boundMs + " ms");
  }

  private static String completionBody(String content) {
    return new JsonObject().put("messages", new JsonArray().add(new JsonObject().put("role", "user")
      .put("content", content))).encode();
  }

  private static String post(String path, int contentLength, boolean close) {
    return "POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: "
      + contentLength + "\r\n" + (close ? "Connection: close\r\n" : "") + "\r\n";
  }

  private static Socket connect(int port) throws IOException {
    Socket socket = new Socket("127.0.0.1", port);
    socket.setSoTimeout(READ_TIMEOUT_MS);
    return socket;
  }

  /** The next byte, or -1 at the end; a reset also ends the stream. */
  private static int readOrReset(InputStream in) throws IOException {
    try {
      return in.read();
    } catch (SocketException reset) {
      return -1;
    }
  }

  private static String readHead(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    while (!head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
      int b = in.read();
      if (b < 0) {
        throw new IOException("connection closed after: " + head);
      }
      head.write(b);
    }
    return head.toString(StandardCharsets.US_ASCII);
  }

  /** A chunked body's content, read to the connection's end. */
  private static String dechunk(byte[] chunked) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] chunk : Chunked.chunks(chunked)) {
      out.writeBytes(chunk);
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
