package dev.llmrelay.edge;

import dev.llmrelay.error.ErrorType;
import dev.llmrelay.error.RelayError;
import dev.llmrelay.http.ErrorResponses;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.RoutingContext;

/**
 * Lets a request through only with a configured client key ({@code Authorization: Bearer <key>}, or
 * {@code x-api-key: <key>} on Anthropic's {@code /v1/messages}, as its SDKs send it), or, on the
 * EventSource GET alone, a {@code ?token=} minted from one; then admits a completion
 * against the key's limits and budget and frees its stream slot when the response is over. A refused
 * request is answered here, so it never reaches validation, the event bus or the upstream. With no keys
 * configured every request passes as the anonymous client, without limits.
 */
final class AuthHandler implements Handler<RoutingContext> {

  /** The header Anthropic's SDKs send their key in; accepted on {@link Endpoints#MESSAGES}. */
  private static final String API_KEY = "x-api-key";
  private static final RelayError UNAUTHORIZED = new RelayError(ErrorType.AUTH, 401,
    "Missing or invalid client key: send Authorization: Bearer <key> (or x-api-key: <key> on " + Endpoints.MESSAGES
      + "; a browser's EventSource GET may send ?token= from POST " + Endpoints.TOKEN + " instead)", -1, null);

  private final Edge edge;

  AuthHandler(Edge edge) {
    this.edge = edge;
  }

  @Override
  public void handle(RoutingContext ctx) {
    if (!edge.authEnabled()) {
      ctx.next();
      return;
    }
    Client client = authenticate(ctx);
    if (client == null) {
      ctx.response().putHeader("WWW-Authenticate", "Bearer realm=\"llm-relay\"");
      ErrorResponses.send(ctx, UNAUTHORIZED);
      return;
    }
    EdgeRequest.of(ctx).client(client);
    if (!Endpoints.opensCompletion(ctx)) {
      ctx.next();
      return;
    }
    Future<ClientLimiter.Ticket> admission = edge.limiter().admit(client);
    if (admission.isComplete()) {
      admitted(ctx, admission.result());
      return;
    }
    // A cluster call, bounded by clusterLimits.timeoutMs: hold the body until the verdict, for the
    // BodyHandler after this one (it resumes the request); a GET has no body handler to do it.
    ctx.request().pause();
    admission.onComplete(ar -> {
      if (ctx.request().method() != HttpMethod.POST || ar.failed() || ar.result().denial() != null) {
        ctx.request().resume();
      }
      if (ar.failed()) {
        ctx.fail(ar.cause());
      } else {
        admitted(ctx, ar.result());
      }
    });
  }

  private void admitted(RoutingContext ctx, ClientLimiter.Ticket ticket) {
    if (ticket.denial() != null) {
      edge.metrics().refused(ticket.denial().limit());
      ErrorResponses.send(ctx, ticket.error());
      return;
    }
    ctx.addEndHandler(ar -> ticket.release());
    ctx.next();
  }

  private Client authenticate(RoutingContext ctx) {
    String header = ctx.request().getHeader("Authorization");
    if (header != null) {
      return edge.keys().fromAuthorization(header);
    }
    String apiKey = ctx.request().getHeader(API_KEY);
    if (apiKey != null && Endpoints.MESSAGES.equals(ctx.normalizedPath())) {
      return edge.keys().fromKey(apiKey);
    }
    if (ctx.request().method() == HttpMethod.GET && (Endpoints.STREAM.equals(ctx.normalizedPath())
      || ctx.normalizedPath().startsWith(Endpoints.STREAMS))) {
      return edge.tokens().verify(ctx.request().getParam("token"), edge.keys()::byId);
    }
    return null;
  }
}
