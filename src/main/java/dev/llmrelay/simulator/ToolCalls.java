package dev.llmrelay.simulator;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;

/**
 * The deltas of a simulated tool-calling answer, as OpenAI streams them: for each requested function,
 * in order, one delta with the call's {@code index}, {@code id}, {@code type} and {@code name} (and
 * empty arguments), then its {@code arguments} in fragments of {@value #FRAGMENT} characters, each
 * naming only the {@code index}. The arguments are {@link JsonAnswer}'s instance of the function's
 * parameter schema, so a test can predict them. Without tools, a call to {@code lookup} is made.
 */
final class ToolCalls {

  static final int FRAGMENT = 4;

  private ToolCalls() {
  }

  static List<JsonObject> deltas(JsonArray tools, String streamId) {
    List<JsonObject> deltas = new ArrayList<>();
    List<JsonObject> functions = new ArrayList<>();
    for (Object tool : tools) {
      if (tool instanceof JsonObject t && t.getValue("function") instanceof JsonObject f
        && f.getValue("name") instanceof String) {
        functions.add(f);
      }
    }
    if (functions.isEmpty()) {
      functions.add(new JsonObject().put("name", "lookup").put("parameters", new JsonObject().put("type", "object")
        .put("properties", new JsonObject().put("query", new JsonObject().put("type", "string")))));
    }
    for (int index = 0; index < functions.size(); index++) {
      JsonObject function = functions.get(index);
      JsonObject schema = function.getValue("parameters") instanceof JsonObject p ? p : new JsonObject();
      String arguments = JsonAnswer.instance(schema, false) instanceof JsonObject o ? o.encode() : "{}";
      deltas.add(call(new JsonObject()
        .put("index", index)
        .put("id", "call_" + index + "_" + Integer.toHexString(streamId.hashCode()))
        .put("type", "function")
        .put("function", new JsonObject().put("name", function.getString("name")).put("arguments", ""))));
      for (int at = 0; at < arguments.length(); at += FRAGMENT) {
        String fragment = arguments.substring(at, Math.min(arguments.length(), at + FRAGMENT));
        deltas.add(call(new JsonObject().put("index", index)
          .put("function", new JsonObject().put("arguments", fragment))));
      }
    }
    return deltas;
  }

  private static JsonObject call(JsonObject toolCall) {
    return new JsonObject().put("tool_calls", new JsonArray().add(toolCall));
  }
}
