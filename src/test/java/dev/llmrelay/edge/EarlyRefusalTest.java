package dev.llmrelay.edge;

import dev.llmrelay.config.HttpConfig;
import dev.llmrelay.testing.RelayHarness;
import io.vertx.core.Vertx;
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
import java.nio.charset.StandardCharsets;
import java.util.Locale;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Requests answered before their body was read, over raw sockets so the connection itself is visible: a refusal
 * (401) leaves the connection serving the next request, with the unread body dropped rather than parsed as a
 * request; a body refused for its size (413) gets its answer, then the connection drains for a while and closes.
 */
@ExtendWith(VertxExtension.class)
class EarlyRefusalTest {

  private static final int READ_TIMEOUT_MS = 10_000;
  /** Below the relay's 2 s linger, with room for what the kernel buffers before the relay reads it. */
  private static final long LINGER_LOWER_BOUND_MS = 1_000;

  @Test
  void aRefusedPostLeavesItsConnectionServingTheNextRequest(Vertx vertx) throws IOException {
    RelayHarness h = RelayHarness.start(vertx, c -> EdgeClient.withKey(c, "alice", AuthTest.KEY, AuthTest.NO_LIMITS));
    // The body looks like a request of its own: were it read as one, the answers would not line up.
    String body = "GET /api/v1/llm/models HTTP/1.1\r\nHost: x\r\n\r\n" + "x".repeat(64 * 1024);
    try (Socket socket = connect(h.port)) {
      OutputStream out = socket.getOutputStream();
      InputStream in = socket.getInputStream();

      // Headers first: the relay answers before any of the body is sent.
      out.write(post("/api/v1/llm/complete", body.length()).getBytes(StandardCharsets.US_ASCII));
      out.flush();
      Response refused = Response.read(in);
      assertEquals(401, refused.status());
      assertEquals("auth", new JsonObject(refused.body()).getString("type"));
      assertEquals(null, refused.header("connection"));

      // Then the body, and the next request on the same connection.
      out.write(body.getBytes(StandardCharsets.US_ASCII));
      out.write("GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      Response next = Response.read(in);
      assertEquals(200, next.status());
      assertEquals(new JsonObject().put("live", true), new JsonObject(next.body()));

      // All at once: a refused request, its body and the next request in one write.
      out.write((post("/v1/chat/completions", body.length()) + body
        + "GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      out.flush();
      Response openAi = Response.read(in);
      assertEquals(401, openAi.status());
      assertEquals("authentication_error", new JsonObject(openAi.body()).getJsonObject("error").getString("type"));
      assertEquals(200, Response.read(in).status());
    }
    assertEquals(0, h.simulator.stats().requests());
  }

  @Test
  void aBodyOverTheLimitIsAnswered413ThenTheConnectionDrainsAndCloses(Vertx vertx) throws IOException {
    RelayHarness h = RelayHarness.start(vertx, c -> {
      HttpConfig http = c.http();
      return c.withHttp(http.withInstances(1).withMaxBodyBytes(4096));
    });
    int declared = 64 * 1024 * 1024;
    try (Socket socket = connect(h.port)) {
      OutputStream out = socket.getOutputStream();
      InputStream in = socket.getInputStream();
      out.write(post("/api/v1/llm/complete", declared).getBytes(StandardCharsets.US_ASCII));
      out.flush();
      Response refused = Response.read(in);
      assertEquals(413, refused.status());
      assertEquals("close", refused.header("connection"));
      JsonObject error = new JsonObject(refused.body());
      assertEquals("bad_request", error.getString("type"));
      assertEquals("body", error.getString("field"));

      // The client keeps sending, as a client that does not read answers early would: the relay keeps
      // reading for a while (so the answer above is not lost to a reset), then closes well short of 64 MiB.
      long start = System.nanoTime();
      long sent = 0;
      byte[] chunk = new byte[16 * 1024];
      try {
        while (sent < declared) {
          out.write(chunk);
          sent += chunk.length;
          if (sent % (256 * 1024) == 0) {
            sleep(20);
          }
        }
      } catch (SocketException closedByTheRelay) {
        // expected: the write after the relay closed fails
      }
      long ms = (System.nanoTime() - start) / 1_000_000;
      assertTrue(sent < declared, "the relay closed before the whole 64 MiB body was sent, after " + sent + " bytes");
      assertTrue(ms >= LINGER_LOWER_BOUND_MS, "kept draining for " + ms + " ms");
      assertEquals(-1, readOrReset(in), "nothing more is said on the connection");
    }
    assertEquals(0, h.simulator.stats().requests());
  }

  private static Socket connect(int port) throws IOException {
    Socket socket = new Socket("127.0.0.1", port);
    socket.setSoTimeout(READ_TIMEOUT_MS);
    return socket;
  }

  /** The next byte, or -1 at the end; a reset (the client wrote after the close) also ends the stream. */
  private static int readOrReset(InputStream in) throws IOException {
    try {
      return in.read();
    } catch (SocketException reset) {
      return -1;
    }
  }

  private static String post(String path, long contentLength) {
    return "POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: "
      + contentLength + "\r\n\r\n";
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** One HTTP/1.1 response with a Content-Length body, read off a blocking socket. */
  private record Response(int status, String head, String body) {

    String header(String name) {
      for (String line : head.split("\r\n")) {
        int colon = line.indexOf(':');
        if (colon > 0 && line.substring(0, colon).trim().toLowerCase(Locale.ROOT).equals(name)) {
          return line.substring(colon + 1).trim();
        }
      }
      return null;
    }

    static Response read(InputStream in) throws IOException {
      ByteArrayOutputStream head = new ByteArrayOutputStream();
      while (!head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
        int b = in.read();
        if (b < 0) {
          throw new IOException("connection closed after: " + head);
        }
        head.write(b);
      }
      String text = head.toString(StandardCharsets.US_ASCII);
      Response partial = new Response(Integer.parseInt(text.substring(9, 12)), text, "");
      byte[] body = in.readNBytes(Integer.parseInt(partial.header("content-length")));
      return new Response(partial.status(), text, new String(body, StandardCharsets.UTF_8));
    }
  }
}
