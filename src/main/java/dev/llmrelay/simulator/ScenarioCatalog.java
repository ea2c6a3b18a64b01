package dev.llmrelay.simulator;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.List;
import java.util.Map;

/**
 * The simulator's scenarios as a person picks them on the test page: the model id that selects each
 * ({@code sim/<name>}) and what it does, in words. Served with the model catalog in simulator mode.
 * {@code tools} is left out: it answers with calls to the request's tools, and the page sends none.
 */
public final class ScenarioCatalog {

  private static final List<Map.Entry<String, String>> SCENARIOS = List.of(
    Map.entry("normal", "A normal answer, one token every 15 ms"),
    Map.entry("keepalive", "A normal answer with keep-alive comments between tokens"),
    Map.entry("flood", "Tokens as fast as the connection takes them"),
    Map.entry("midstream-error", "Fails halfway with a rate-limit error chunk"),
    Map.entry("midstream-error-done", "Fails halfway with an error chunk, then [DONE]"),
    Map.entry("midstream-error-empty", "Fails halfway with an error chunk that has no choices"),
    Map.entry("malformed", "Sends a broken line halfway"),
    Map.entry("stall", "Stops sending halfway and keeps the connection open"),
    Map.entry("hang", "Never answers at all"),
    Map.entry("hang-first-token", "Accepts the request, then sends only keep-alives, never a token"),
    Map.entry("truncated", "The connection ends halfway, with no finish"),
    Map.entry("no-done", "Finishes without the closing [DONE]"),
    Map.entry("reset", "Resets the connection halfway"),
    Map.entry("context-length", "HTTP 400: the conversation exceeds the context length"),
    Map.entry("auth", "HTTP 401: the API key is rejected"),
    Map.entry("payment", "HTTP 402: the account has no credits"),
    Map.entry("forbidden", "HTTP 403: the input is flagged by moderation"),
    Map.entry("rate-limit", "HTTP 429 with Retry-After: rate limited"),
    Map.entry("server-error", "HTTP 500 from the provider"),
    Map.entry("bad-gateway", "HTTP 502 from the provider"),
    Map.entry("unavailable", "HTTP 503: no provider can take the request"),
    Map.entry("json-invalid", "With a JSON schema: an answer that breaks the schema"));

  private ScenarioCatalog() {
  }

  /** {@code [{id: "sim/<name>", name, description}]}, in the order a person would try them. */
  public static JsonArray toJson() {
    JsonArray list = new JsonArray();
    for (Map.Entry<String, String> s : SCENARIOS) {
      list.add(new JsonObject().put("id", "sim/" + s.getKey()).put("name", s.getKey()).put("description", s.getValue()));
    }
    return list;
  }
}
