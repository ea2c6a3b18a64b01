package dev.llmrelay.trace;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.vertx.ext.web.RoutingContext;

/**
 * The server span of one client request, on the router: a child of the client's {@code traceparent}
 * when it sent one, else the root of a new trace. Kept in the routing context, so the stream the request
 * opens ({@link StreamSpan}) hangs under it; ends with the response.
 */
public final class RequestSpan {

  private static final String KEY = "dev.llmrelay.trace.request";
  private static final AttributeKey<String> METHOD = AttributeKey.stringKey("http.request.method");
  private static final AttributeKey<String> ROUTE = AttributeKey.stringKey("http.route");
  private static final AttributeKey<String> REQUEST_ID = AttributeKey.stringKey("relay.request_id");

  private RequestSpan() {
  }

  /**
   * Starts the span of this request, when tracing is on, and ends it with the response.
   *
   * @param route the endpoint's bounded label (never the raw path: it may hold a stream id)
   */
  public static void start(RoutingContext ctx, Tracing tracing, String route, String requestId) {
    if (!tracing.enabled()) {
      return;
    }
    String method = ctx.request().method().name();
    Span span = tracing.start(method + " " + route, SpanKind.SERVER,
      ctx.request().getHeader(Tracing.TRACEPARENT));
    span.setAttribute(METHOD, method);
    span.setAttribute(ROUTE, route);
    span.setAttribute(REQUEST_ID, requestId);
    ctx.put(KEY, span);
    ctx.addEndHandler(ar -> {
      int status = ctx.response().getStatusCode();
      span.setAttribute(Tracing.HTTP_STATUS, status);
      if (status >= 500) {
        span.setStatus(StatusCode.ERROR);
      }
      span.end();
    });
  }

  /** This request's span, or the invalid span when it is not traced. */
  static Span of(RoutingContext ctx) {
    Span span = ctx.get(KEY);
    return span == null ? Span.getInvalid() : span;
  }
}
