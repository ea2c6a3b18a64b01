package dev.llmrelay.edge;

import dev.llmrelay.config.HttpConfig;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;

import java.util.HashMap;
import java.util.Map;

/**
 * Closes client connections that keep the relay waiting for bytes they owe it: no complete request head
 * within {@code http.headerTimeoutMs} of connecting (nothing sent, or half a head and a stall, or a head
 * trickled a byte at a time), none within {@code http.keepAliveTimeoutMs} of the previous response's end,
 * or no byte of an unfinished body for {@code http.bodyTimeoutMs}. While the relay owes the answer (a
 * completion being generated, an SSE stream however slow its tokens) nothing is timed: the client is
 * waiting on the relay then, not the other way round.
 *
 * <p>Vert.x 5.0 has no request-head or body timeout, and its connection idle timeouts do not fit: a
 * read-idle timeout would cut every SSE stream (its client sends nothing while it reads), an idle timeout
 * over reads and writes would cut a non-streaming completion that waits longer for its answer, and neither
 * notices a head trickled one byte at a time. Hence a timer per connection, armed at connect and at the end
 * of the last request in flight, cancelled when a head arrives; and, per request, a check of the body's
 * progress ({@link HttpServerRequest#bytesRead()}, since the body handler owns the request's data handler)
 * every quarter of the bound until the body ends (its timer cancelled then) or the answer starts, so a
 * stalled body is closed between one and one and a quarter bounds after its last byte. Closes are silent
 * (no 408: on an idle keep-alive connection it would be taken for the answer to the client's next request)
 * and counted in {@code relay_client_timeouts_total} by reason.
 *
 * <p>Everything runs on the connection's event loop, the one its router instance runs on; one instance per
 * router verticle. The server must have cleartext HTTP/2 off: with it on, Vert.x 5.0.10 makes the
 * connection (and calls {@code connectionHandler}) only once the first head is complete, too late for a
 * client that sends nothing or half a head.
 */
public final class ClientTimeouts {

  private final Vertx vertx;
  private final long headerMs;
  private final long bodyMs;
  private final long keepAliveMs;
  private final EdgeMetrics metrics;
  private final Map<HttpConnection, Watch> watches = new HashMap<>();

  public ClientTimeouts(Vertx vertx, HttpConfig config, Edge edge) {
    this.vertx = vertx;
    this.headerMs = config.headerTimeoutMs();
    this.bodyMs = config.bodyTimeoutMs();
    this.keepAliveMs = config.keepAliveTimeoutMs();
    this.metrics = edge.metrics();
  }

  /** For {@code HttpServer.connectionHandler}: the client owes a request head from now on. */
  public void handleConnection(HttpConnection connection) {
    Watch watch = new Watch(connection);
    watches.put(connection, watch);
    // The only close handler on a server connection: the routes observe closes through their contexts.
    connection.closeHandler(v -> {
      watch.closed = true;
      watch.cancel();
      watches.remove(connection);
    });
    watch.await("header", headerMs);
  }

  /** The first route of the router: a head arrived; time the body, then wait for the request's end. */
  public void handleRequest(RoutingContext ctx) {
    HttpServerRequest request = ctx.request();
    Watch watch = watches.get(request.connection());
    if (watch != null) {
      watch.requests++;
      watch.cancel();
      ctx.addEndHandler(ar -> watch.requestEnded());
      if (!request.isEnded()) {
        BodyWatch body = new BodyWatch(watch, request, ctx.response());
        body.check();
        // Independent of the end handler the body handler holds; a body that ended leaves no timer behind.
        request.end().onComplete(ar -> body.stop());
      }
    }
    ctx.next();
  }

  private void expire(Watch watch, String reason) {
    if (!watch.closed) {
      watch.closed = true;
      metrics.clientTimedOut(reason);
      watch.connection.close();
    }
  }

  /**
   * One connection: its requests in flight and the timer for its next head. Counted, not flagged, so the
   * order in which Vert.x reports a request's end and a pipelined successor's start does not matter.
   */
  private final class Watch {
    final HttpConnection connection;
    int requests;
    long timer = -1;
    boolean closed;

    Watch(HttpConnection connection) {
      this.connection = connection;
    }

    void requestEnded() {
      requests--;
      if (requests == 0 && !closed) {
        await("keepalive", keepAliveMs);
      }
    }

    void await(String reason, long ms) {
      cancel();
      timer = vertx.setTimer(ms, id -> {
        timer = -1;
        expire(this, reason);
      });
    }

    void cancel() {
      if (timer != -1) {
        vertx.cancelTimer(timer);
        timer = -1;
      }
    }
  }

  /** One request's unfinished body: closes the connection when it makes no progress for the bound. */
  private final class BodyWatch {
    final Watch watch;
    final HttpServerRequest request;
    final HttpServerResponse response;
    long bytes;
    long progressNanos = System.nanoTime();
    long timer = -1;
    boolean stopped;

    BodyWatch(Watch watch, HttpServerRequest request, HttpServerResponse response) {
      this.watch = watch;
      this.request = request;
      this.response = response;
      this.bytes = request.bytesRead();
    }

    void check() {
      timer = -1;
      if (stopped || watch.closed || request.isEnded() || response.headWritten()) {
        return;
      }
      long now = System.nanoTime();
      long read = request.bytesRead();
      if (read != bytes) {
        bytes = read;
        progressNanos = now;
      } else if (now - progressNanos >= bodyMs * 1_000_000) {
        expire(watch, "body");
        return;
      }
      timer = vertx.setTimer(Math.max(1, bodyMs / 4), id -> check());
    }

    /** The body ended (or the request failed): no more checks. */
    void stop() {
      stopped = true;
      if (timer != -1) {
        vertx.cancelTimer(timer);
        timer = -1;
      }
    }
  }
}
