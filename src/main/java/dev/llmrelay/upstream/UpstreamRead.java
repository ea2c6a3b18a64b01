package dev.llmrelay.upstream;

import dev.llmrelay.config.UpstreamConfig;
import dev.llmrelay.error.ErrorMapper;
import dev.llmrelay.error.ErrorType;
import dev.llmrelay.error.RelayError;
import dev.llmrelay.trace.Tracing;
import io.opentelemetry.api.trace.Span;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.parsetools.RecordParser;

import java.nio.charset.StandardCharsets;

/**
 * The upstream side of one stream: opens the upstream through {@link UpstreamClient}, reads its SSE body
 * with a {@link RecordParser} whose record demand follows the credits its {@link Listener} holds, decodes
 * each event into a {@link Chunk}, and tells the listener what the answer says (head, deltas, end or
 * failure). Knows the upstream's timeouts and ends the upstream request's trace span; knows nothing of the
 * bus. Closed once, by the listener.
 */
final class UpstreamRead implements UpstreamClient.Attempts {

  private static final int MAX_RECORD_BYTES = 1 << 20;

  /** The bus side of the stream: what the upstream said, in order, and how much it may read. */
  interface Listener {
    /** The upstream answered; its body follows. */
    void head(String model);

    /**
     * One event worth sending: text, or (in raw mode) any chunk as it came; {@code bare} when that chunk
     * carries no content and no other delta.
     */
    void delta(String content, String model, String rawChunk, boolean bare);

    /** The answer is complete. */
    void end(String model, String finishReason, String usage);

    /** The stream cannot go on; {@code resetUpstream} closes the upstream request. */
    void fail(RelayError error, boolean resetUpstream);

    /** The chunks the router will still take: the parser's record demand follows them. */
    long credits();
  }

  private final Vertx vertx;
  private final UpstreamConfig upstream;
  private final boolean raw;
  private final Listener listener;
  private final SseDecoder sse = new SseDecoder(this::onEvent);
  private final long startedAt = System.currentTimeMillis();
  /** The request for the upstream, until it is handed to the client: a long conversation is not kept for the stream's life. */
  private String body;
  private String model;
  private String finishReason;
  private String usage;

  private HttpClientRequest request;
  private long backoffTimer = -1;
  private HttpClientResponse response;
  private RecordParser parser;
  private long demand;
  private boolean firstToken;
  private long headAt;
  private long waitingSince;
  private boolean cancelled;
  private boolean closed;
  /** The trace context the attempts' spans hang under, or null. */
  private final String traceparent;
  /** The span of the upstream request that answered 2xx (invalid when not traced), ended by {@link #close}. */
  private Span requestSpan;

  UpstreamRead(Vertx vertx, UpstreamConfig upstream, String body, String model, boolean raw, String traceparent,
               Listener listener) {
    this.traceparent = traceparent;
    this.vertx = vertx;
    this.upstream = upstream;
    this.body = body;
    this.model = model;
    this.raw = raw;
    this.listener = listener;
  }

  /** Opens the upstream and starts reading from its head. */
  void run(UpstreamClient client) {
    String request = body;
    body = null;
    client.open(request, model, this).onComplete(ar -> {
      if (ar.succeeded()) {
        onHead(ar.result());
      } else if (!closed) {
        listener.fail(ErrorMapper.fromThrowable(ar.cause()), false);
      }
    });
  }

  @Override
  public boolean cancelled() {
    return cancelled;
  }

  @Override
  public void current(HttpClientRequest current) {
    this.request = current;
  }

  @Override
  public void backoff(long timerId) {
    this.backoffTimer = timerId;
  }

  @Override
  public String traceparent() {
    return traceparent;
  }

  @Override
  public void upstreamSpan(Span span) {
    this.requestSpan = span;
  }

  /** The idle timeout counts from now: credits came back after none, or a reader resumed. */
  void waitFrom(long now) {
    waitingSince = now;
  }

  /**
   * The timeout this stream has run into by {@code now}, if any.
   *
   * @param credited whether the router holds credits: a stream it does not read may stay quiet
   */
  RelayError timeout(long now, boolean credited) {
    if (upstream.totalTimeoutMs() > 0 && now - startedAt > upstream.totalTimeoutMs()) {
      return RelayError.of(ErrorType.TIMEOUT, "The stream exceeded the total time limit of "
        + upstream.totalTimeoutMs() + " ms");
    }
    if (response != null && !firstToken && now - headAt > upstream.firstTokenTimeoutMs()) {
      return RelayError.of(ErrorType.TIMEOUT, "No first token from the upstream within "
        + upstream.firstTokenTimeoutMs() + " ms");
    }
    if (firstToken && credited && now - waitingSince > upstream.idleTimeoutMs()) {
      return RelayError.of(ErrorType.TIMEOUT, "The upstream sent nothing for " + upstream.idleTimeoutMs()
        + " ms in the middle of the answer");
    }
    return null;
  }

  /** Keeps the parser's record demand equal to the credits the router granted. */
  void demand(long credits) {
    if (parser == null || closed) {
      return;
    }
    if (credits <= 0) {
      if (demand > 0) {
        parser.pause();
        demand = 0;
      }
    } else if (demand != credits) {
      if (demand > credits) {
        parser.pause();
        demand = 0;
      }
      long more = credits - demand;
      demand = credits;
      parser.fetch(more);
    }
  }

  /**
   * Ends the read once: stops a pending retry, and with {@code reset} closes the upstream request (a cancel,
   * a timeout, a failure mid-answer).
   */
  void close(boolean reset, String errorType) {
    if (closed) {
      return;
    }
    closed = true;
    endRequestSpan(errorType);
    cancelled = reset;
    if (backoffTimer >= 0) {
      vertx.cancelTimer(backoffTimer);
    }
    if (cancelled) {
      if (response != null) {
        response.request().reset();
      } else if (request != null) {
        request.reset();
      }
    }
  }

  private void onHead(HttpClientResponse head) {
    if (closed) {
      head.request().reset();
      endRequestSpan(ErrorType.CANCELLED.wireName());
      return;
    }
    response = head;
    headAt = System.currentTimeMillis();
    listener.head(model);
    parser = RecordParser.newDelimited("\n", head).maxRecordSize(MAX_RECORD_BYTES);
    parser.pause();
    parser.exceptionHandler(t -> {
      if (!closed) {
        listener.fail(t instanceof IllegalStateException
          ? RelayError.of(ErrorType.UPSTREAM_PROTOCOL, "Malformed upstream stream: a line exceeds " + MAX_RECORD_BYTES + " bytes")
          : ErrorMapper.fromThrowable(t), true);
      }
    });
    parser.endHandler(v -> onUpstreamEnd());
    parser.handler(this::onRecord);
    demand(listener.credits());
  }

  private void onRecord(Buffer record) {
    demand--;
    if (closed) {
      return;
    }
    sse.record(record);
    if (!closed) {
      demand(listener.credits());
    }
  }

  private void onEvent(String type, byte[] data) {
    if (closed) {
      return;
    }
    Chunk chunk = ChunkDecoder.decode(data);
    if (chunk.done()) {
      complete();
      return;
    }
    if (chunk.error() != null) {
      listener.fail(chunk.error(), true);
      return;
    }
    if (chunk.model() != null) {
      model = chunk.model();
    }
    if (chunk.usage() != null) {
      usage = chunk.usage();
    }
    if (chunk.finishReason() != null) {
      finishReason = chunk.finishReason();
    }
    boolean hasText = chunk.content() != null && !chunk.content().isEmpty();
    if (hasText || raw) {
      listener.delta(chunk.content(), model, raw ? new String(data, StandardCharsets.UTF_8) : null,
        !hasText && !chunk.otherDelta());
    }
    if (hasText || chunk.otherDelta()) {
      // Tool-call fragments and reasoning are progress too: an answer made only of them must not hit
      // the first-token or idle timeout.
      firstToken = true;
      waitingSince = System.currentTimeMillis();
    }
  }

  private void onUpstreamEnd() {
    if (closed) {
      return;
    }
    if (finishReason != null && !sse.hasPartialEvent()) {
      // Some OpenAI-compatible upstreams close after the finish reason without [DONE].
      complete();
    } else {
      listener.fail(RelayError.of(ErrorType.UPSTREAM_PROTOCOL,
        "The upstream stream ended before the answer was complete (no finish reason, no [DONE])"), false);
    }
  }

  private void endRequestSpan(String errorType) {
    if (requestSpan != null) {
      Tracing.end(requestSpan, errorType);
      requestSpan = null;
    }
  }

  private void complete() {
    listener.end(model, finishReason, usage);
    if (parser != null) {
      // Read the rest (normally just the end of the body) so the connection returns to the pool.
      parser.fetch(Long.MAX_VALUE);
    }
  }
}
