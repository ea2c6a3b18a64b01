package dev.llmrelay.catalog;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Turns the upstream's {@code GET /models} answer into catalog entries, the shape the test page and
 * {@code conf/models.json} share: OpenRouter's {@code {data: [{id, name, created, context_length,
 * pricing: {prompt, completion} (USD per token, as strings), top_provider: {max_completion_tokens},
 * supported_parameters, architecture: {input_modalities}, default_parameters}]}} becomes
 * {@code {id, name, provider, created, contextWindow, maxOutputTokens, pricing: {promptPerMTokUsd,
 * completionPerMTokUsd}, structuredOutput, tools, supportedParameters, inputModalities, defaults}}.
 * A plain OpenAI-compatible list ({@code {data: [{id, created, owned_by}]}}) works too; what an entry
 * does not say is left out, so the file's entry for the same id can fill it in. Bounded: at most
 * {@link #MAX_MODELS} entries, each with short strings and short lists.
 */
public final class OpenRouterModels {

  /** OpenRouter lists a few hundred; anything far beyond that is not a model list worth holding. */
  public static final int MAX_MODELS = 5_000;
  static final int MAX_ID_CHARS = 200;
  static final int MAX_NAME_CHARS = 200;
  static final int MAX_LIST_ITEMS = 64;
  static final int MAX_ITEM_CHARS = 64;
  private static final BigDecimal PER_MILLION = BigDecimal.valueOf(1_000_000);

  private OpenRouterModels() {
  }

  /**
   * The entries of a {@code /models} body, in its order; entries without a usable id and repeated
   * ids are skipped. Fails with {@link IllegalArgumentException} when the body is not such a list.
   */
  public static List<JsonObject> parse(String body) {
    JsonObject root;
    try {
      root = new JsonObject(body);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("the answer is not a JSON object");
    }
    if (!(root.getValue("data") instanceof JsonArray data)) {
      throw new IllegalArgumentException("the answer has no \"data\" list");
    }
    List<JsonObject> entries = new ArrayList<>(Math.min(data.size(), MAX_MODELS));
    Set<String> seen = new HashSet<>();
    for (Object item : data) {
      if (entries.size() == MAX_MODELS) {
        break;
      }
      if (item instanceof JsonObject model) {
        JsonObject entry = entry(model);
        if (entry != null && seen.add(entry.getString("id"))) {
          entries.add(entry);
        }
      }
    }
    return entries;
  }

  /** One catalog entry, or null when the model has no usable id. */
  static JsonObject entry(JsonObject model) {
    if (!(model.getValue("id") instanceof String id) || id.isBlank() || id.length() > MAX_ID_CHARS) {
      return null;
    }
    String name = model.getValue("name") instanceof String n && !n.isBlank() ? n : id;
    String provider = null;
    int colon = name.indexOf(": ");
    if (colon > 0) {
      // OpenRouter names a model "Author: Model"; the page shows the two apart.
      provider = name.substring(0, colon);
      name = name.substring(colon + 2);
    } else if (model.getValue("owned_by") instanceof String owner && !owner.isBlank()) {
      provider = owner;
    }
    JsonObject entry = new JsonObject().put("id", id).put("name", cut(name, MAX_NAME_CHARS));
    if (provider != null) {
      entry.put("provider", cut(provider, MAX_NAME_CHARS));
    }
    if (model.getValue("created") instanceof Number created && created.longValue() > 0) {
      entry.put("created", created.longValue());
    }
    JsonObject top = model.getValue("top_provider") instanceof JsonObject t ? t : new JsonObject();
    Long context = positive(model.getValue("context_length"));
    if (context == null) {
      context = positive(top.getValue("context_length"));
    }
    if (context != null) {
      entry.put("contextWindow", context);
    }
    Long maxOutput = positive(top.getValue("max_completion_tokens"));
    if (maxOutput != null) {
      entry.put("maxOutputTokens", maxOutput);
    }
    JsonObject pricing = pricing(model.getValue("pricing"));
    if (pricing != null) {
      entry.put("pricing", pricing);
    }
    if (model.getValue("supported_parameters") instanceof JsonArray params) {
      JsonArray supported = strings(params);
      entry.put("structuredOutput", supported.contains("response_format") || supported.contains("structured_outputs"));
      entry.put("tools", supported.contains("tools"));
      entry.put("supportedParameters", supported);
    }
    if (model.getValue("architecture") instanceof JsonObject architecture
      && architecture.getValue("input_modalities") instanceof JsonArray inputs) {
      entry.put("inputModalities", strings(inputs));
    }
    if (model.getValue("default_parameters") instanceof JsonObject defaults
      && defaults.getValue("temperature") instanceof Number temperature) {
      entry.put("defaults", new JsonObject().put("temperature", temperature.doubleValue()));
    }
    return entry;
  }

  /**
   * USD per million tokens, or null when either price is missing or unknown (OpenRouter gives
   * {@code "-1"} for a router whose price depends on the model it picks). {@code "0"} is free.
   */
  static JsonObject pricing(Object value) {
    if (!(value instanceof JsonObject pricing)) {
      return null;
    }
    Double prompt = perMillion(pricing.getValue("prompt"));
    Double completion = perMillion(pricing.getValue("completion"));
    if (prompt == null || completion == null) {
      return null;
    }
    return new JsonObject().put("promptPerMTokUsd", prompt).put("completionPerMTokUsd", completion);
  }

  private static Double perMillion(Object perToken) {
    BigDecimal price;
    try {
      if (perToken instanceof String s) {
        price = new BigDecimal(s.trim());
      } else if (perToken instanceof Number n) {
        price = new BigDecimal(n.toString());
      } else {
        return null;
      }
    } catch (NumberFormatException e) {
      return null;
    }
    // Exact decimal arithmetic: "0.0000025" is 2.5, not 2.4999999999999996.
    return price.signum() < 0 ? null : price.multiply(PER_MILLION).doubleValue();
  }

  private static Long positive(Object value) {
    return value instanceof Number n && n.longValue() > 0 ? n.longValue() : null;
  }

  private static JsonArray strings(JsonArray values) {
    JsonArray out = new JsonArray();
    for (Object value : values) {
      if (out.size() == MAX_LIST_ITEMS) {
        break;
      }
      if (value instanceof String s && !s.isEmpty() && s.length() <= MAX_ITEM_CHARS) {
        out.add(s);
      }
    }
    return out;
  }

  private static String cut(String s, int max) {
    return s.length() <= max ? s : s.substring(0, max);
  }
}
