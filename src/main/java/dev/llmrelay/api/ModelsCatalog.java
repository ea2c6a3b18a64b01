package dev.llmrelay.api;

import dev.llmrelay.catalog.ModelCatalog;
import dev.llmrelay.simulator.ScenarioCatalog;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * The model catalog as the test page reads it ({@code GET /api/v1/llm/models}): the process's
 * {@link ModelCatalog} (the upstream's list, or the {@code conf/models.json} fallback, with id, name,
 * context window, price, supported parameters, limits and defaults) and where it came from, answered
 * with whether the relay is serving from its simulator, so nobody mistakes simulated text for a
 * model's (and then with the simulator's scenarios, so people can try its faults).
 */
final class ModelsCatalog {

  private final ModelCatalog source;
  private final boolean simulated;

  ModelsCatalog(ModelCatalog source, boolean simulated) {
    this.source = source;
    this.simulated = simulated;
  }

  /** The entries served now; read only. */
  JsonArray models() {
    return source.models();
  }

  /** The body of {@code GET /api/v1/llm/models}. */
  JsonObject toJson() {
    JsonObject json = new JsonObject().put("models", source.models()).put("catalog", source.status())
      .put("simulated", simulated);
    if (simulated) {
      json.put("notice", "SIMULATOR MODE: no OPENROUTER_API_KEY is set, so answers come from the built-in "
        + "OpenRouter simulator, not from a real model.");
      json.put("scenarios", ScenarioCatalog.toJson());
    }
    return json;
  }
}
