package dev.llmrelay.simulator;

import io.vertx.core.MultiMap;
import io.vertx.core.json.JsonObject;

import java.util.List;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What the simulator saw, readable from any thread: request and stream counts, and the last requests
 * and streams in detail, so tests can assert exactly what reached the "upstream" and how it ended.
 */
public final class SimulatorStats {

  private static final int KEEP = 2000;

  private final AtomicLong requests = new AtomicLong();
  private final java.util.concurrent.ConcurrentHashMap<String, AtomicLong> requestsByModel =
    new java.util.concurrent.ConcurrentHashMap<>();
  private final AtomicLong started = new AtomicLong();
  private final AtomicLong completed = new AtomicLong();
  private final AtomicLong aborted = new AtomicLong();
  private final AtomicLong writeQueueFull = new AtomicLong();
  private final AtomicLong connections = new AtomicLong();
  private final AtomicLong http2Requests = new AtomicLong();
  private final AtomicLong modelsRequests = new AtomicLong();
  private final ConcurrentLinkedDeque<JsonObject> bodies = new ConcurrentLinkedDeque<>();
  private final ConcurrentLinkedDeque<String> traceparents = new ConcurrentLinkedDeque<>();
  private volatile String lastAuthorization;
  private volatile String lastAcceptEncoding;
  private final ConcurrentLinkedDeque<SimStream> streams = new ConcurrentLinkedDeque<>();

  /** Chat-completion requests received. */
  public long requests() {
    return requests.get();
  }

  /** Requests answered with a 200 event stream. */
  public long started() {
    return started.get();
  }

  /** Streams and error answers written to their end. */
  public long completed() {
    return completed.get();
  }

  /** Requests whose client (the relay) closed the connection before the simulator finished. */
  public long aborted() {
    return aborted.get();
  }

  /** Times a stream's writes backed up because the reader stopped reading. */
  public long writeQueueFull() {
    return writeQueueFull.get();
  }

  /**
   * Connections that carried a chat-completion request (HTTP/1.1 and HTTP/2 alike); the relay's model
   * catalog fetches {@code /models} on a connection of its own, which does not count.
   */
  public long connections() {
    return connections.get();
  }

  /** Chat-completion requests that came as HTTP/2 streams. */
  public long http2Requests() {
    return http2Requests.get();
  }

  /** The {@code Authorization} header of the latest chat request, or null. */
  public String lastAuthorization() {
    return lastAuthorization;
  }

  /** The {@code Accept-Encoding} header of the latest chat request, or null when it had none. */
  public String lastAcceptEncoding() {
    return lastAcceptEncoding;
  }

  /**
   * The {@code traceparent} header of the most recent chat requests, oldest first, one per request
   * ({@code ""} for a request without one).
   */
  public List<String> traceparents() {
    return List.copyOf(traceparents);
  }

  /** The most recent request bodies, oldest first. */
  public List<JsonObject> bodies() {
    return List.copyOf(bodies);
  }

  /** The most recent streams, oldest first. */
  public List<SimStream> streams() {
    return List.copyOf(streams);
  }

  /** {@code GET .../models} requests received (the relay's model catalog fetches). */
  public long modelsRequests() {
    return modelsRequests.get();
  }

  public JsonObject toJson() {
    return new JsonObject().put("requests", requests()).put("started", started()).put("completed", completed())
      .put("aborted", aborted()).put("writeQueueFull", writeQueueFull())
      .put("connections", connections()).put("http2Requests", http2Requests())
      .put("modelsRequests", modelsRequests());
  }

  /** Chat-completion requests received for {@code model} (as the request named it). */
  public long requests(String model) {
    AtomicLong n = requestsByModel.get(model);
    return n == null ? 0 : n.get();
  }

  /** A chat request arrived with {@code body} (parsed, or {@code {"invalid": text}}) and {@code headers}. */
  void request(JsonObject body, MultiMap headers) {
    lastAuthorization = headers.get("Authorization");
    lastAcceptEncoding = headers.get("Accept-Encoding");
    String traceparent = headers.get("traceparent");
    // The deques' size() walks them; the counters say when one is past KEEP (one add, one poll).
    boolean full = requests.incrementAndGet() > KEEP;
    traceparents.addLast(traceparent == null ? "" : traceparent);
    bodies.addLast(body);
    if (full) {
      traceparents.pollFirst();
      bodies.pollFirst();
    }
    if (body.getValue("model") instanceof String model) {
      requestsByModel.computeIfAbsent(model, m -> new AtomicLong()).incrementAndGet();
    }
  }

  void countConnection() {
    connections.incrementAndGet();
  }

  void countModelsRequest() {
    modelsRequests.incrementAndGet();
  }

  void countHttp2Request() {
    http2Requests.incrementAndGet();
  }

  void started(SimStream stream) {
    boolean full = started.incrementAndGet() > KEEP;
    streams.addLast(stream);
    if (full) {
      streams.pollFirst();
    }
  }

  void countCompleted() {
    completed.incrementAndGet();
  }

  void countAborted() {
    aborted.incrementAndGet();
  }

  void countWriteQueueFull() {
    writeQueueFull.incrementAndGet();
  }
}
