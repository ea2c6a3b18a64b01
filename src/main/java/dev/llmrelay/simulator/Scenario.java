package dev.llmrelay.simulator;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the simulator should do with one request. The scenario is the model id's part after
 * {@code sim/} (any other model streams normally); parameters come from a directive in the last user
 * message, for example {@code [sim tokens=1000 split=3 crlf multibyte paceMs=0]}.
 *
 * <p>Parameters: {@code tokens} (answer length), {@code paceMs} (between tokens), {@code ttftMs}
 * (before the first token), {@code split} (bytes per socket write, 0 = whole events), {@code crlf},
 * {@code multibyte}, {@code keepalives} (comments before the first token), {@code errorAt} (tokens
 * before a mid-stream fault), {@code retryAfter} (seconds, for 429/503), {@code failFirst} and
 * {@code key} (the first N requests carrying that key fail with {@code failStatus}, default 503), and
 * {@code status} (every such request answers with that HTTP status and OpenRouter's error body for it,
 * whatever its model: so any model name can be a failing route), and {@code cost} (the usage's {@code cost}
 * in US dollars, default 0; {@code none} leaves it out, as an upstream that reports no cost does).
 * The {@code tools} scenario answers with a call to each of the request's {@code tools}.
 */
public record Scenario(String name, String model, int tokens, long paceMs, long ttftMs, int split, boolean crlf,
                       boolean multibyte, int keepalives, int errorAt, int retryAfterSeconds, int failFirst,
                       String key, int failStatus, int status, JsonObject responseSchema, JsonArray tools,
                       String cost) {

  private static final Pattern DIRECTIVE = Pattern.compile("\\[sim([^\\]]*)\\]");

  static Scenario from(JsonObject body) {
    String model = body.getValue("model") instanceof String m ? m : "simulator/default";
    String name = model.startsWith("sim/") ? model.substring(4).toLowerCase(Locale.ROOT) : "normal";
    Map<String, String> p = directive(body.getValue("messages"));
    int tokens = intParam(p, "tokens", 12);
    JsonObject schema = null;
    if (body.getValue("response_format") instanceof JsonObject format
      && format.getValue("json_schema") instanceof JsonObject jsonSchema
      && jsonSchema.getValue("schema") instanceof JsonObject s) {
      schema = s;
    }
    return new Scenario(name, model, tokens, longParam(p, "paceMs", 15), longParam(p, "ttftMs", 0),
      intParam(p, "split", 0), p.containsKey("crlf"), p.containsKey("multibyte"), intParam(p, "keepalives", 0),
      intParam(p, "errorAt", Math.max(1, tokens / 2)), intParam(p, "retryAfter", 1), intParam(p, "failFirst", 0),
      p.getOrDefault("key", ""), intParam(p, "failStatus", 503), intParam(p, "status", 0), schema,
      body.getValue("tools") instanceof JsonArray tools ? tools : new JsonArray(), p.getOrDefault("cost", "0.0"));
  }

  private static Map<String, String> directive(Object messages) {
    Map<String, String> params = new HashMap<>();
    if (!(messages instanceof JsonArray list)) {
      return params;
    }
    for (int i = list.size() - 1; i >= 0; i--) {
      if (list.getValue(i) instanceof JsonObject msg && "user".equals(msg.getValue("role"))) {
        Matcher m = DIRECTIVE.matcher(text(msg.getValue("content")));
        if (m.find()) {
          for (String word : m.group(1).trim().split("\\s+")) {
            if (word.isEmpty()) {
              continue;
            }
            int eq = word.indexOf('=');
            params.put(eq < 0 ? word : word.substring(0, eq), eq < 0 ? "true" : word.substring(eq + 1));
          }
        }
        break;
      }
    }
    return params;
  }

  private static String text(Object content) {
    if (content instanceof String s) {
      return s;
    }
    StringBuilder out = new StringBuilder();
    if (content instanceof JsonArray parts) {
      for (Object part : parts) {
        if (part instanceof JsonObject o && o.getValue("text") instanceof String t) {
          out.append(t).append(' ');
        }
      }
    }
    return out.toString();
  }

  private static int intParam(Map<String, String> p, String key, int def) {
    return (int) longParam(p, key, def);
  }

  private static long longParam(Map<String, String> p, String key, long def) {
    String v = p.get(key);
    if (v == null) {
      return def;
    }
    try {
      return Long.parseLong(v);
    } catch (NumberFormatException e) {
      return def;
    }
  }
}
