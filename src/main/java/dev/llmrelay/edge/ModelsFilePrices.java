package dev.llmrelay.edge;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * The {@link PriceList} of {@code conf/models.json} (the working directory's, else the jar's): each
 * model's id, and its {@code pricing} in US dollars per million tokens, {@code promptPerMTokUsd} and
 * {@code completionPerMTokUsd}, both optional (a model without them has no price). Read once at start.
 */
public final class ModelsFilePrices implements PriceList {

  private final Set<String> ids;
  private final Map<String, Price> prices;

  private ModelsFilePrices(Set<String> ids, Map<String, Price> prices) {
    this.ids = ids;
    this.prices = prices;
  }

  public static ModelsFilePrices load(String file) {
    JsonArray models = new JsonObject(read(file)).getJsonArray("models", new JsonArray());
    Set<String> ids = new HashSet<>();
    Map<String, Price> prices = new HashMap<>();
    for (Object entry : models) {
      if (!(entry instanceof JsonObject model) || !(model.getValue("id") instanceof String id)) {
        continue;
      }
      ids.add(id);
      if (model.getValue("pricing") instanceof JsonObject pricing
        && pricing.getValue("promptPerMTokUsd") instanceof Number prompt
        && pricing.getValue("completionPerMTokUsd") instanceof Number completion) {
        prices.put(id, new Price(prompt.doubleValue() / 1e6, completion.doubleValue() / 1e6));
      }
    }
    return new ModelsFilePrices(Set.copyOf(ids), Map.copyOf(prices));
  }

  @Override
  public Price price(String model) {
    return model == null ? null : prices.get(model);
  }

  @Override
  public boolean lists(String model) {
    return model != null && ids.contains(model);
  }

  private static String read(String file) {
    Path path = Path.of(file);
    try {
      if (Files.isRegularFile(path)) {
        return Files.readString(path);
      }
      try (InputStream in = ModelsFilePrices.class.getClassLoader().getResourceAsStream(file)) {
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
