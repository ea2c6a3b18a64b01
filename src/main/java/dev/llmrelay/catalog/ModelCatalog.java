package dev.llmrelay.catalog;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The process's model catalog, one per JVM and shared by its routers: the upstream's own list once a
 * fetch ({@link CatalogVerticle}) has landed, else the fallback from {@code conf/models.json}.
 *
 * <p>The file has {@code models}, the fallback list and curated entries, and optionally
 * {@code overrides}, an object of partial entries by id. Over the upstream's list, a file entry with
 * the same id only fills in what the upstream does not say (strengths, default parameters, a
 * missing limit), and the file's models come first, in its order; an override replaces the fields it
 * names, upstream or not. A file model the upstream does not list is left out: the upstream would
 * refuse it.
 *
 * <p>Readers on any event loop see one immutable {@link Snapshot}, replaced whole by each update.
 */
public final class ModelCatalog {

  /** What the catalog serves now; never changed once published. */
  public record Snapshot(JsonArray models, boolean live, String updatedAt, String error) {
  }

  private final List<JsonObject> fallback;
  private final Map<String, JsonObject> overrides;
  private volatile Snapshot current;

  private ModelCatalog(List<JsonObject> fallback, Map<String, JsonObject> overrides) {
    this.fallback = fallback;
    this.overrides = overrides;
    this.current = new Snapshot(overridden(fallback), false, null, null);
  }

  /** The catalog of {@code file} (a path, else a resource on the classpath), serving its fallback. */
  public static ModelCatalog load(String file) {
    return parse(read(file), file);
  }

  static ModelCatalog parse(String text, String source) {
    JsonObject root;
    try {
      root = new JsonObject(text);
    } catch (RuntimeException e) {
      throw new IllegalStateException("model catalog " + source + " is not a JSON object: " + e.getMessage());
    }
    List<JsonObject> fallback = new ArrayList<>();
    if (!(root.getValue("models") instanceof JsonArray models)) {
      throw new IllegalStateException("model catalog " + source + " has no \"models\" list");
    }
    for (Object entry : models) {
      if (!(entry instanceof JsonObject model) || !(model.getValue("id") instanceof String)) {
        throw new IllegalStateException("model catalog " + source + ": every model needs a string \"id\"");
      }
      fallback.add(model);
    }
    Map<String, JsonObject> overrides = new LinkedHashMap<>();
    Object over = root.getValue("overrides");
    if (over instanceof JsonObject byId) {
      for (Map.Entry<String, Object> entry : byId) {
        if (!(entry.getValue() instanceof JsonObject fields)) {
          throw new IllegalStateException("model catalog " + source + ": overrides." + entry.getKey()
            + " must be an object of fields");
        }
        overrides.put(entry.getKey(), fields);
      }
    } else if (over != null) {
      throw new IllegalStateException("model catalog " + source + ": \"overrides\" must be an object keyed by model id");
    }
    return new ModelCatalog(List.copyOf(fallback), overrides);
  }

  public Snapshot snapshot() {
    return current;
  }

  /** The entries served now. Read only: the array is shared by every request. */
  public JsonArray models() {
    return current.models;
  }

  /** Whether and when the catalog came from the upstream, and the last refresh's failure if it failed. */
  public JsonObject status() {
    Snapshot s = current;
    return new JsonObject().put("source", s.live ? "upstream" : "fallback").put("updatedAt", s.updatedAt)
      .put("error", s.error);
  }

  /** Serves the upstream's {@code entries} (from {@link OpenRouterModels#parse}) with the file laid over them. */
  public void update(List<JsonObject> entries, long now) {
    Map<String, JsonObject> byId = new LinkedHashMap<>();
    for (JsonObject entry : entries) {
      byId.put(entry.getString("id"), entry);
    }
    List<JsonObject> merged = new ArrayList<>(byId.size());
    for (JsonObject curated : fallback) {
      JsonObject live = byId.remove(curated.getString("id"));
      if (live != null) {
        JsonObject entry = live.copy();
        curated.forEach(field -> entry.getMap().putIfAbsent(field.getKey(), copy(field.getValue())));
        merged.add(entry);
      }
    }
    merged.addAll(byId.values());
    current = new Snapshot(overridden(merged), true, Instant.ofEpochMilli(now).toString(), null);
  }

  /** Keeps what is served and records why the latest refresh failed. */
  public void failed(String reason) {
    Snapshot s = current;
    current = new Snapshot(s.models, s.live, s.updatedAt, reason);
  }

  private JsonArray overridden(List<JsonObject> entries) {
    JsonArray out = new JsonArray();
    for (JsonObject entry : entries) {
      JsonObject fields = overrides.get(entry.getString("id"));
      out.add(fields == null ? entry : entry.copy().mergeIn(fields.copy()));
    }
    return out;
  }

  private static Object copy(Object value) {
    return value instanceof JsonObject o ? o.copy() : value instanceof JsonArray a ? a.copy() : value;
  }

  private static String read(String file) {
    Path path = Path.of(file);
    try {
      if (Files.isRegularFile(path)) {
        return Files.readString(path);
      }
      try (InputStream in = ModelCatalog.class.getClassLoader().getResourceAsStream(file)) {
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
