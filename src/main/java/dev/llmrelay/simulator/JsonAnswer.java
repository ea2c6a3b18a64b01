package dev.llmrelay.simulator;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;

/**
 * A structured answer for requests with a JSON schema: an instance built from the schema (the
 * {@code json-invalid} scenario breaks it on purpose: the first required property is left out and
 * a string is put where a number belongs), cut into tokens of a few characters.
 */
final class JsonAnswer {

  private JsonAnswer() {
  }

  static String[] tokens(Scenario scenario) {
    Object instance = instance(scenario.responseSchema(), "json-invalid".equals(scenario.name()));
    String json = instance instanceof JsonObject o ? o.encodePrettily()
      : instance instanceof JsonArray a ? a.encodePrettily() : String.valueOf(instance);
    List<String> pieces = new ArrayList<>();
    for (int at = 0; at < json.length(); ) {
      int end = Math.min(json.length(), at + 6);
      if (end < json.length() && Character.isHighSurrogate(json.charAt(end - 1))) {
        end++;
      }
      pieces.add(json.substring(at, end));
      at = end;
    }
    return pieces.toArray(new String[0]);
  }

  static Object instance(JsonObject schema, boolean broken) {
    if (schema.getValue("enum") instanceof JsonArray values && !values.isEmpty()) {
      return values.getValue(0);
    }
    Object type = schema.getValue("type");
    if (type instanceof JsonArray types) {
      type = types.isEmpty() ? "null" : types.getValue(0);
    }
    String t = type == null ? (schema.containsKey("properties") ? "object" : "string") : type.toString();
    switch (t) {
      case "object" -> {
        JsonObject out = new JsonObject();
        JsonObject props = schema.getJsonObject("properties", new JsonObject());
        JsonArray required = schema.getJsonArray("required", new JsonArray());
        boolean dropped = false;
        for (String name : props.fieldNames()) {
          if (broken && !dropped && required.contains(name)) {
            dropped = true;
            continue;
          }
          Object sub = props.getValue(name);
          out.put(name, sub instanceof JsonObject s ? instance(s, broken) : null);
        }
        return out;
      }
      case "array" -> {
        JsonArray out = new JsonArray();
        if (schema.getValue("items") instanceof JsonObject items) {
          out.add(instance(items, broken));
        }
        return out;
      }
      case "integer" -> {
        return broken ? "twenty" : Math.max(schema.getInteger("minimum", 21), 0);
      }
      case "number" -> {
        return broken ? "21.5" : schema.getDouble("minimum", 21.5);
      }
      case "boolean" -> {
        return true;
      }
      case "null" -> {
        return null;
      }
      default -> {
        return "example";
      }
    }
  }
}
