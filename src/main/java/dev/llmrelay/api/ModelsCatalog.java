package dev.llmrelay.api;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The model catalog the test page shows ({@code conf/models.json}: id, name, context window,
 * strengths, default parameters, price), answered with whether the relay is serving from its
 * simulator, so nobody mistakes simulated text for a model's (and then with the simulator's
 * scenarios, which the relay hands in, so people can try its faults).
 */
final class ModelsCatalog {

  private final JsonArray models;
  private final JsonArray scenarios;

  private ModelsCatalog(JsonArray models, JsonArray scenarios) {
    this.models = models;
    this.scenarios = scenarios;
  }

  /** @param scenarios the simulator's scenarios when the relay serves from it, else null */
  static ModelsCatalog load(String file, JsonArray scenarios) {
    JsonObject root = new JsonObject(read(file));
    return new ModelsCatalog(root.getJsonArray("models"), scenarios);
  }

  JsonArray models() {
    return models;
  }

  /** The body of {@code GET /api/v1/llm/models}. */
  JsonObject toJson() {
    boolean simulated = scenarios != null;
    JsonObject json = new JsonObject().put("models", models).put("simulated", simulated);
    if (simulated) {
      json.put("notice", "SIMULATOR MODE: no OPENROUTER_API_KEY is set, so answers come from the built-in "
        + "OpenRouter simulator, not from a real model.");
      json.put("scenarios", scenarios);
    }
    return json;
  }

  private static String read(String file) {
    Path path = Path.of(file);
    try {
      if (Files.isRegularFile(path)) {
        return Files.readString(path);
      }
      try (InputStream in = ModelsCatalog.class.getClassLoader().getResourceAsStream(file)) {
        if (in == null) {
          throw new IllegalStateException("model catalog " + file + " not found");
        }
        return new String(in.readAllBytes(), StandardCharsets.UTF_8);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read model catalog " + file, e);
    }
  }
}
