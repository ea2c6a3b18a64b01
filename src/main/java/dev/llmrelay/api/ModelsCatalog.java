package dev.llmrelay.api;

import dev.llmrelay.catalog.ModelCatalog;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * The model catalog as the test page reads it ({@code GET /api/v1/llm/models}): the process's
 * {@link ModelCatalog} (the upstream's list, or the {@code conf/models.json} fallback, with id, name,
 * context window, price, supported parameters, limits and defaults) and where it came from, answered
 * with whether the relay is serving from its simulator, so nobody mistakes simulated text for a
 * model's (and then with the simulator's scenarios, which the relay hands in, so people can try its
 * faults).
 */
final class ModelsCatalog {

  private final ModelCatalog source;
  private final JsonArray scenarios;

  /** @param scenarios the simulator's scenarios when the relay serves from it, else null */
  ModelsCatalog(ModelCatalog source, JsonArray scenarios) {
    this.source = source;
    this.scenarios = scenarios;
  }

  /** The entries served now; read only. */
  JsonArray models() {
    return source.models();
  }

  /** The body of {@code GET /api/v1/llm/models}. */
  JsonObject toJson() {
    boolean simulated = scenarios != null;
    JsonObject json = new JsonObject().put("models", source.models()).put("catalog", source.status())
      .put("simulated", simulated);
    if (simulated) {
      json.put("notice", "SIMULATOR MODE: no OPENROUTER_API_KEY is set, so answers come from the built-in "
        + "OpenRouter simulator, not from a real model.");
      json.put("scenarios", scenarios);
    }
    return json;
  }
}
