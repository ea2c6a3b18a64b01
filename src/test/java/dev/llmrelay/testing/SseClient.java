package dev.llmrelay.testing;

import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * A small SSE client for tests: sends a request to the relay and collects the status, headers,
 * body and parsed events. {@code closeWhen} closes the connection as soon as the received events
 * satisfy it (a client leaving mid-stream).
 */
public final class SseClient {

  /** What the client saw. */
  public record Result(int status, String contentType, String body, List<SseEvent> events, boolean closedByUs,
                       MultiMap headers) {

    /** The concatenated {@code text} of every {@code message} event except the final [DONE]. */
    public String text() {
      return SseClient.text(events);
    }

    public SseEvent last() {
      return events.get(events.size() - 1);
    }
  }

  private final HttpClientAgent http;
  private final ClientLoop loop;
  private final int port;

  public SseClient(Vertx vertx, int port) {
    this.http = vertx.createHttpClient(new HttpClientOptions().setMaxInitialLineLength(1 << 20));
    this.loop = new ClientLoop(vertx);
    this.port = port;
  }

  public static String userMessages(String content) {
    return new JsonArray().add(new JsonObject().put("role", "user").put("content", content)).encode();
  }

  public static String query(String messages, String options) {
    String q = "/api/v1/llm/complete/stream?messages=" + URLEncoder.encode(messages, StandardCharsets.UTF_8);
    if (options != null) {
      q += "&options=" + URLEncoder.encode(options, StandardCharsets.UTF_8);
    }
    return q;
  }

  public Future<Result> get(String uri) {
    return send(HttpMethod.GET, uri, null, events -> false);
  }

  public Future<Result> get(String uri, Predicate<List<SseEvent>> closeWhen) {
    return send(HttpMethod.GET, uri, null, closeWhen);
  }

  public Future<Result> post(String uri, String body) {
    return send(HttpMethod.POST, uri, body, events -> false);
  }

  public Future<Result> send(HttpMethod method, String uri, String body, Predicate<List<SseEvent>> closeWhen) {
    return send(method, uri, body, Map.of(), closeWhen);
  }

  /** With request {@code headers}, e.g. {@code Last-Event-ID}. */
  public Future<Result> send(HttpMethod method, String uri, String body, Map<String, String> headers,
                             Predicate<List<SseEvent>> closeWhen) {
    RequestOptions options = new RequestOptions().setMethod(method).setHost("127.0.0.1").setPort(port).setURI(uri);
    headers.forEach(options::putHeader);
    if (body != null) {
      options.putHeader("Content-Type", "application/json");
    }
    return loop.run(() -> http.request(options).compose(req -> {
      Future<HttpClientResponse> response = body == null ? req.send() : req.send(Buffer.buffer(body));
      return response.compose(resp -> collect(resp, closeWhen));
    }));
  }

  private Future<Result> collect(HttpClientResponse resp, Predicate<List<SseEvent>> closeWhen) {
    Promise<Result> promise = Promise.promise();
    Buffer all = Buffer.buffer();
    List<SseEvent> events = new ArrayList<>();
    Buffer[] pending = {Buffer.buffer()};
    boolean[] closed = {false};
    resp.handler(chunk -> {
      if (closed[0]) {
        return;
      }
      all.appendBuffer(chunk);
      // Split on bytes, decode whole events only: a character may be split across reads.
      pending[0].appendBuffer(chunk);
      int split;
      while ((split = blankLine(pending[0])) >= 0) {
        String block = pending[0].getString(0, split, "UTF-8");
        pending[0] = pending[0].getBuffer(split + 2, pending[0].length());
        SseEvent event = parse(block);
        if (event != null) {
          events.add(event);
        }
      }
      if (closeWhen.test(events)) {
        closed[0] = true;
        resp.request().connection().close();
        promise.tryComplete(new Result(resp.statusCode(), resp.getHeader("Content-Type"), all.toString(),
          List.copyOf(events), true, resp.headers()));
      }
    });
    resp.exceptionHandler(promise::tryFail);
    resp.endHandler(v -> promise.tryComplete(new Result(resp.statusCode(), resp.getHeader("Content-Type"),
      all.toString(), List.copyOf(events), false, resp.headers())));
    return promise.future();
  }

  /** The events of a whole EventSource body, as read at once (e.g. by a {@link StallingReader}). */
  public static List<SseEvent> events(String body) {
    List<SseEvent> events = new ArrayList<>();
    for (String block : body.split("\n\n")) {
      SseEvent event = parse(block);
      if (event != null) {
        events.add(event);
      }
    }
    return events;
  }

  /** The concatenated {@code text} of the relay's EventSource {@code message} events, without its final [DONE]. */
  public static String text(List<SseEvent> events) {
    StringBuilder out = new StringBuilder();
    for (SseEvent e : events) {
      if (e.event().equals("message")) {
        JsonObject json = e.json();
        if (!"system".equals(json.getJsonObject("metadata").getString("provider"))) {
          out.append(json.getString("text"));
        }
      }
    }
    return out.toString();
  }

  private static int blankLine(Buffer b) {
    for (int i = 0; i + 1 < b.length(); i++) {
      if (b.getByte(i) == '\n' && b.getByte(i + 1) == '\n') {
        return i;
      }
    }
    return -1;
  }

  private static SseEvent parse(String block) {
    String id = null;
    String event = "message";
    StringBuilder data = null;
    for (String line : block.split("\n", -1)) {
      if (line.startsWith(":")) {
        continue;
      }
      int colon = line.indexOf(':');
      String field = colon < 0 ? line : line.substring(0, colon);
      String value = colon < 0 ? "" : line.substring(colon + 1).replaceFirst("^ ", "");
      switch (field) {
        case "id" -> id = value;
        case "event" -> event = value;
        case "data" -> data = data == null ? new StringBuilder(value) : data.append('\n').append(value);
        default -> {
        }
      }
    }
    return data == null ? null : new SseEvent(id, event, data.toString());
  }

  public Future<Void> close() {
    return http.close();
  }
}
