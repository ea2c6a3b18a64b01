package dev.llmrelay.api;

import dev.llmrelay.bus.Addresses;
import dev.llmrelay.bus.StreamControl;
import dev.llmrelay.config.StreamConfig;
import dev.llmrelay.edge.Edge;
import dev.llmrelay.error.ErrorType;
import dev.llmrelay.error.RelayError;
import dev.llmrelay.http.ErrorResponses;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.ext.web.RoutingContext;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The client side of resumable streams: a stream opened with {@code options.resume} continues, on any
 * edge node, for a client that comes back with {@code Last-Event-ID: <streamId>:<seq>}: to the stream's
 * own URL (what {@code EventSource} does by itself) or to {@code GET /api/v1/llm/streams/<streamId>}.
 * {@code DELETE /api/v1/llm/streams/<streamId>} cancels one. Only the client that opened a stream can
 * resume or cancel it; nothing about another stream is ever shown.
 */
final class ResumableStreams {

  /** A resumable stream's public id (128 random bits in hex) and an event's seq. */
  private static final Pattern EVENT_ID = Pattern.compile("([0-9a-f]{32}):([0-9]{1,18})");
  private static final Pattern STREAM_ID = Pattern.compile("[0-9a-f]{32}");

  /** Opens a sink's stream on the bus as the router does for every stream (limits, metrics, the active set). */
  interface Opener {
    void resume(RoutingContext ctx, String streamId, long lastSeq, EventSourceSink sink, BusResume.Refusal refused);
  }

  private final Vertx vertx;
  private final StreamConfig config;
  private final Edge edge;
  private final Opener opener;

  ResumableStreams(Vertx vertx, StreamConfig config, Edge edge, Opener opener) {
    this.vertx = vertx;
    this.config = config;
    this.edge = edge;
    this.opener = opener;
  }

  /** Whether streams may be resumable here ({@code stream.resumeGraceMs} above 0). */
  boolean enabled() {
    return config.resumeGraceMs() > 0;
  }

  /** The terms a new resumable stream of this request runs under, with a fresh public id. */
  dev.llmrelay.bus.OpenRequest.Resume terms(RoutingContext ctx) {
    return new dev.llmrelay.bus.OpenRequest.Resume(Addresses.newResumableId(), edge.clientId(ctx),
      config.resumeGraceMs(), config.resumeBufferBytes());
  }

  /**
   * An {@code EventSource} coming back to the stream URL with {@code lastEventId}: continues the stream
   * it names, or answers {@code 204}, which makes the browser stop reconnecting (a plain stream's id,
   * an unknown, foreign or finished stream).
   */
  void reconnect(RoutingContext ctx, String lastEventId) {
    Matcher m = EVENT_ID.matcher(lastEventId.trim());
    if (!enabled() || !m.matches()) {
      ctx.response().setStatusCode(204).end();
      return;
    }
    resume(ctx, m.group(1), Long.parseLong(m.group(2)), true);
  }

  /** {@code GET /api/v1/llm/streams/<id>} with {@code Last-Event-ID} (or {@code ?lastEventId=}). */
  void handleGet(RoutingContext ctx) {
    String id = ctx.pathParam("id");
    String lastEventId = ctx.request().getHeader("Last-Event-ID");
    if (lastEventId == null) {
      lastEventId = ctx.request().getParam("lastEventId");
    }
    if (!STREAM_ID.matcher(id).matches()) {
      notFound(ctx);
      return;
    }
    long lastSeq = 1;
    if (lastEventId != null) {
      Matcher m = EVENT_ID.matcher(lastEventId.trim());
      if (!m.matches() || !m.group(1).equals(id)) {
        ErrorResponses.send(ctx, RelayError.badRequest("Last-Event-ID", "must be <streamId>:<seq> of this stream"));
        return;
      }
      lastSeq = Long.parseLong(m.group(2));
    }
    resume(ctx, id, lastSeq, false);
  }

  /** {@code DELETE /api/v1/llm/streams/<id>}: the stream's upstream is closed at once. */
  void handleDelete(RoutingContext ctx) {
    String id = ctx.pathParam("id");
    if (!STREAM_ID.matcher(id).matches()) {
      notFound(ctx);
      return;
    }
    vertx.eventBus().request(Addresses.control(id), StreamControl.delete(edge.clientId(ctx)),
        new DeliveryOptions().setSendTimeout(config.watchdogMs()))
      .onComplete(ar -> {
        if (ar.succeeded()) {
          ctx.response().setStatusCode(204).end();
        } else if (ar.cause() instanceof ReplyException re && re.failureType() == ReplyFailure.RECIPIENT_FAILURE
          && re.failureCode() == 403) {
          forbidden(ctx);
        } else {
          notFound(ctx);
        }
      });
  }

  private void resume(RoutingContext ctx, String id, long lastSeq, boolean eventSource) {
    EventSourceSink sink = new EventSourceSink(ctx.response(), false, config.keepAliveMs(), null, id, lastSeq);
    opener.resume(ctx, id, lastSeq, sink, (code, message) -> {
      if (code == 410) {
        // The client's place is no longer kept: a typed error, never a gap in the text.
        sink.head(null);
        sink.error(new RelayError(ErrorType.BAD_REQUEST, 410, "This stream can no longer be resumed from event "
          + lastSeq + ": " + message, -1, "Last-Event-ID"));
      } else if (eventSource || code == 204) {
        ctx.response().setStatusCode(204).end();
      } else if (code == 403) {
        forbidden(ctx);
      } else if (code == 416) {
        ErrorResponses.send(ctx, new RelayError(ErrorType.BAD_REQUEST, 416, "Last-Event-ID: event " + lastSeq
          + " was never sent on this stream", -1, "Last-Event-ID"));
      } else {
        notFound(ctx);
      }
    });
  }

  private static void notFound(RoutingContext ctx) {
    ErrorResponses.send(ctx, new RelayError(ErrorType.BAD_REQUEST, 404, "No live stream has this id", -1, null));
  }

  private static void forbidden(RoutingContext ctx) {
    ErrorResponses.send(ctx, new RelayError(ErrorType.FORBIDDEN, 403, "This stream belongs to another client", -1, null));
  }
}
