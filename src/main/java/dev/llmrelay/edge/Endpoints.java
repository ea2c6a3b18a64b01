package dev.llmrelay.edge;

import io.vertx.ext.web.RoutingContext;

import java.util.Set;

/**
 * The relay's endpoints as the edge sorts them: which ones open a completion (and so count against
 * a key's limits), and a bounded label for metrics and logs, so that no client-chosen path can
 * create a new series.
 */
final class Endpoints {

  static final String TOKEN = "/api/v1/llm/token";
  static final String STREAM = "/api/v1/llm/complete/stream";
  static final String MESSAGES = "/v1/messages";
  static final String RESPONSES = "/v1/responses";
  /** Resumable streams by id: one label for all of them. */
  static final String STREAMS = "/api/v1/llm/streams/";
  static final Set<String> COMPLETIONS = Set.of(STREAM, "/api/v1/llm/complete", "/v1/chat/completions", MESSAGES,
    RESPONSES);
  private static final Set<String> KNOWN = Set.of(STREAM, "/api/v1/llm/complete", "/v1/chat/completions", MESSAGES,
    RESPONSES, "/api/v1/llm/models", TOKEN, "/v1/models", "/health", "/health/live", "/health/ready", "/metrics", "/");

  private Endpoints() {
  }

  static boolean opensCompletion(RoutingContext ctx) {
    return COMPLETIONS.contains(ctx.normalizedPath());
  }

  static String label(RoutingContext ctx) {
    String path = ctx.normalizedPath();
    if (KNOWN.contains(path)) {
      return path;
    }
    if (path.startsWith(STREAMS)) {
      return STREAMS + "{id}";
    }
    if (path.startsWith("/api/") || path.startsWith("/v1/")) {
      return "other_api";
    }
    return "static";
  }
}
