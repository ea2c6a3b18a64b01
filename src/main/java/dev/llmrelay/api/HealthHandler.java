package dev.llmrelay.api;

import dev.llmrelay.upstream.UpstreamHealth;
import io.vertx.core.Handler;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code GET /health}: one JSON summary for people and dashboards (status, liveness, readiness, whether
 * answers are simulated, open client streams, the upstream routes' breakers); 503 while nothing can be
 * served. Probes use the edge's {@code /health/live} and {@code /health/ready}.
 */
final class HealthHandler implements Handler<RoutingContext> {

  private final UpstreamHealth health;
  private final boolean simulated;

  HealthHandler(UpstreamHealth health, boolean simulated) {
    this.health = health;
    this.simulated = simulated;
  }

  @Override
  public void handle(RoutingContext ctx) {
    health.check(ctx.vertx().eventBus()).onSuccess(upstream -> {
      boolean ready = upstream.getBoolean("ready");
      JsonObject json = new JsonObject()
        .put("status", ready ? "UP" : health.draining() ? "DRAINING" : "DEGRADED")
        .put("live", true)
        .put("ready", ready)
        .put("simulated", simulated)
        .put("activeStreams", health.clientStreams())
        .put("upstream", upstream);
      ctx.response().setStatusCode(ready ? 200 : 503)
        .putHeader("Content-Type", "application/json").end(json.encode());
    });
  }
}
