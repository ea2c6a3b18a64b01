package dev.llmrelay.edge;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Random;

/**
 * Generates invalid requests by mutating valid ones: truncation, syntax breaks, wrong types, huge and
 * overlong numbers, invalid UTF-8 bytes, deep nesting, unknown fields, oversize conversations and
 * bodies, broken percent-encoding. Every case is invalid by construction, so none may reach the
 * upstream. {@code strict} is for the relay's own endpoints, which refuse unknown fields and
 * out-of-range options; the OpenAI-compatible endpoint gets only the kinds any parser must refuse.
 */
final class BadInputs {

  /** One generated case: what it is (to reproduce a failure), its query string and its body (each may be null). */
  record Case(String kind, String query, Buffer body) {
  }

  static final int MAX_MESSAGES = 40;
  static final int MAX_TOTAL_CHARS = 20_000;
  static final int MAX_BODY_BYTES = 64 * 1024;
  static final int MAX_URL_BYTES = 32 * 1024;

  private static final byte[][] INVALID_UTF8 = {
    {(byte) 0x80}, {(byte) 0xBF}, {(byte) 0xC0, (byte) 0xAF}, {(byte) 0xC1, (byte) 0xBF}, {(byte) 0xE0, (byte) 0x80,
      (byte) 0xAF}, {(byte) 0xED, (byte) 0xA0, (byte) 0x80}, {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80},
    {(byte) 0xF5}, {(byte) 0xFF}, {(byte) 0xFE}, {(byte) 0xE2, (byte) 0x82}, {(byte) 0xC3}, {(byte) 0xF0, (byte) 0x9F}};
  private static final String[] STRICT_BAD_VALUES = {"null", "true", "1.5", "-1", "\"\"", "[]", "{}", "\"x\"",
    "[1]", "[{}]", "1e999", "-1e999", "123456789012345678901234567890", "0", "{\"a\":1}"};
  private static final String HEX = "0123456789ABCDEF";
  private static final String[] SYNTAX = {",", ":", "}", "]", "{", "[", "\"", "@", "\\", "'", "\u0000", "NaN"};

  private BadInputs() {
  }

  static JsonObject validRelayBody() {
    return new JsonObject()
      .put("messages", new JsonArray()
        .add(new JsonObject().put("role", "system").put("content", "Be brief."))
        .add(new JsonObject().put("role", "user").put("content", "héllo wörld 🙂")))
      .put("options", new JsonObject().put("model", "openai/gpt-4o").put("temperature", 0.5).put("maxTokens", 64)
        .put("topP", 0.9).put("stop", new JsonArray().add("END")));
  }

  static JsonObject validOpenAiBody() {
    return new JsonObject().put("model", "openai/gpt-4o-mini").put("stream", true)
      .put("messages", new JsonArray().add(new JsonObject().put("role", "user").put("content", "héllo 🙂")));
  }

  /** A bad JSON body for a relay endpoint ({@code strict}) or the OpenAI-compatible one. */
  static Case body(Random random, boolean strict) {
    String valid = (strict ? validRelayBody() : validOpenAiBody()).encode();
    int kinds = strict ? 11 : 7;
    switch (random.nextInt(kinds)) {
      case 0:
        return text("truncated", valid.substring(0, random.nextInt(valid.length())));
      case 1:
        return text("syntax", insertOutsideStrings(random, valid, SYNTAX[random.nextInt(SYNTAX.length)]));
      case 2:
        return invalidUtf8(random, valid);
      case 3:
        return text("deep", nest(random, strict, 1001 + random.nextInt(3000)));
      case 4:
        return text("root", new String[] {"", " ", "null", "[]", "\"messages\"", "42", "true", "[{}]", "{}",
          "{\"messages\":null}", "{\"messages\":{}}", "{\"messages\":\"hi\"}", "{\"messages\":42}"}[random.nextInt(13)]);
      case 5:
        return text("oversize-body", valid.substring(0, valid.length() - 1) + ",\"pad\":\""
          + "x".repeat(MAX_BODY_BYTES + random.nextInt(1000)) + "\"}");
      case 6:
        return text("overlong-number", valid.replaceFirst(strict ? "0\\.5" : "true",
          "1" + "0".repeat(1000 + random.nextInt(500))));
      case 7:
        return badValue(random, valid);
      case 8:
        return unknownField(random);
      case 9:
        return tooManyMessages(random);
      default:
        return text("too-many-chars", validRelayBody().put("messages", new JsonArray().add(new JsonObject()
          .put("role", "user").put("content", "y".repeat(MAX_TOTAL_CHARS + 1 + random.nextInt(10_000))))).encode());
    }
  }

  /**
   * A query string that is broken whatever the endpoint: bad percent-encoding, percent-encoded bytes
   * that are not UTF-8, or a request line over the limit.
   */
  static Case brokenQuery(Random random) {
    int kind = random.nextInt(20);
    if (kind < 9) {
      return query("percent", "messages=" + new String[] {"%", "%G1", "%1", "%%", "abc%2", "%zz%41", "a=%e4%"}
        [random.nextInt(7)]);
    }
    if (kind < 19) {
      byte[] bad = INVALID_UTF8[random.nextInt(INVALID_UTF8.length)];
      StringBuilder encoded = new StringBuilder("messages=%5B%7B%22role%22%3A%22user%22%2C%22content%22%3A%22hi");
      for (byte b : bad) {
        percent(encoded, b);
      }
      return query("query-utf8", encoded.append("%22%7D%5D").toString());
    }
    return query("url-too-long", "messages=" + "%5B".repeat(MAX_URL_BYTES / 3 + random.nextInt(1000)));
  }

  /** A bad request for {@code POST /api/v1/llm/token}, which reads no input but its key: broken query or body bytes. */
  static Case tokenRequest(Random random) {
    return switch (random.nextInt(3)) {
      case 0 -> brokenQuery(random);
      case 1 -> invalidUtf8(random, validRelayBody().encode());
      default -> text("oversize-body", "x".repeat(MAX_BODY_BYTES + 1 + random.nextInt(1000)));
    };
  }

  /** A bad query string for the EventSource GET (without the leading {@code ?}). */
  static Case query(Random random) {
    int kind = random.nextInt(6);
    if (kind <= 1) {
      return brokenQuery(random);
    }
    if (kind == 2) {
      return query("no-messages", new String[] {"", "options=%7B%7D", "messages=", "message=%5B%5D", "messages"}
        [random.nextInt(5)]);
    }
    // The body mutations, carried in one of the two parameters.
    Case body = body(random, true);
    if (body.kind().equals("invalid-utf8") || body.kind().equals("oversize-body")) {
      return query("query-" + body.kind(), "messages=" + percentEncode(body.body().getBytes()));
    }
    // Only where the fault sits inside messages or options does it survive being split into two parameters.
    boolean inside = body.kind().startsWith("bad-type:") || body.kind().equals("unknown-field")
      || body.kind().startsWith("too-many-");
    JsonObject parsed = inside ? tryParse(body.body().toString()) : null;
    if (parsed != null && random.nextBoolean()) {
      return query("query-" + body.kind(), "messages=" + encode(Json.encode(parsed.getValue("messages")))
        + "&options=" + encode(Json.encode(parsed.getValue("options"))));
    }
    return query("query-" + body.kind(), (random.nextBoolean() ? "messages=" : "messages=%5B%5D&options=")
      + encode(body.body().toString()));
  }

  private static Case badValue(Random random, String valid) {
    JsonObject body = new JsonObject(valid);
    String value = STRICT_BAD_VALUES[random.nextInt(STRICT_BAD_VALUES.length)];
    Object bad = new JsonArray("[" + value + "]").getValue(0);
    String[] paths = {"messages", "options", "messages.0", "messages.1.role", "messages.1.content", "options.model",
      "options.temperature", "options.maxTokens", "options.topP", "options.stop", "options.models",
      "options.responseFormat"};
    String path = paths[random.nextInt(paths.length)];
    set(body, path, invalidFor(path, bad, value));
    return text("bad-type:" + path, body.encode());
  }

  /** {@code bad}, unless it happens to be valid at {@code path}; then an object, which is valid at none of them. */
  private static Object invalidFor(String path, Object given, String text) {
    // An infinite double is written as the string "Infinity": judge what goes on the wire.
    Object bad = given instanceof Double d && d.isInfinite() ? (d > 0 ? "Infinity" : "-Infinity") : given;
    boolean valid = switch (path) {
      case "options.temperature" -> bad instanceof Number n && n.doubleValue() >= 0 && n.doubleValue() <= 2;
      case "options.topP" -> bad instanceof Number n && n.doubleValue() >= 0 && n.doubleValue() <= 1;
      case "options.maxTokens" -> bad instanceof Integer i && i >= 1;
      case "options.stop", "messages.1.content" -> bad instanceof String;
      case "options.model" -> bad instanceof String s && !s.isBlank();
      case "options" -> bad == null || bad instanceof JsonObject o && o.isEmpty();
      default -> false;
    };
    return valid ? new JsonObject().put("bad", text) : bad;
  }

  private static Case unknownField(Random random) {
    JsonObject body = validRelayBody();
    switch (random.nextInt(4)) {
      case 0 -> {
        return text("unknown-field-top", body.put("extra" + random.nextInt(100), random.nextInt()).encode());
      }
      case 1 -> body.getJsonObject("options").put("max_tokens", 10);
      case 2 -> body.getJsonArray("messages").getJsonObject(1).put("weight", 1);
      default -> body.getJsonObject("options").put("responseFormat", new JsonObject().put("type", "json_schema")
        .put("schema", new JsonObject()).put("extra", true));
    }
    return text("unknown-field", body.encode());
  }

  private static Case tooManyMessages(Random random) {
    JsonArray messages = new JsonArray();
    for (int i = 0; i <= MAX_MESSAGES + random.nextInt(20); i++) {
      messages.add(new JsonObject().put("role", i % 2 == 0 ? "user" : "assistant").put("content", "m" + i));
    }
    return text("too-many-messages", validRelayBody().put("messages", messages).encode());
  }

  private static Case invalidUtf8(Random random, String valid) {
    byte[] utf8 = valid.getBytes(StandardCharsets.UTF_8);
    // Inside the user's content, where a lenient decoder would quietly substitute U+FFFD.
    int at = valid.getBytes(StandardCharsets.UTF_8).length - 10 - random.nextInt(5);
    int anchor = new String(utf8, StandardCharsets.UTF_8).indexOf("héllo");
    if (anchor >= 0) {
      at = new String(utf8, StandardCharsets.UTF_8).substring(0, anchor).getBytes(StandardCharsets.UTF_8).length + 1;
    }
    byte[] bad = INVALID_UTF8[random.nextInt(INVALID_UTF8.length)];
    Buffer out = Buffer.buffer().appendBytes(utf8, 0, at).appendBytes(bad).appendBytes(utf8, at, utf8.length - at);
    return new Case("invalid-utf8", null, out);
  }

  private static String nest(Random random, boolean strict, int depth) {
    String open = random.nextBoolean() ? "[" : "{\"a\":";
    String close = open.equals("[") ? "]" : "}";
    String deep = open.repeat(depth) + "1" + close.repeat(depth);
    return strict ? "{\"messages\":[{\"role\":\"user\",\"content\":" + deep + "}]}"
      : "{\"model\":\"x\",\"messages\":" + deep + "}";
  }

  private static String insertOutsideStrings(Random random, String json, String insert) {
    for (int tries = 0; tries < 100; tries++) {
      int at = random.nextInt(json.length() + 1);
      if (!insideString(json, at)) {
        return json.substring(0, at) + insert + json.substring(at);
      }
    }
    return insert + json;
  }

  private static boolean insideString(String json, int position) {
    boolean inside = false;
    for (int i = 0; i < position; i++) {
      char c = json.charAt(i);
      if (c == '\\' && inside) {
        i++;
      } else if (c == '"') {
        inside = !inside;
      }
    }
    return inside;
  }

  private static void set(JsonObject root, String path, Object value) {
    String[] parts = path.split("\\.");
    Object node = root;
    for (int i = 0; i < parts.length - 1; i++) {
      node = node instanceof JsonObject o ? o.getValue(parts[i]) : ((JsonArray) node).getValue(Integer.parseInt(parts[i]));
    }
    String last = parts[parts.length - 1];
    if (node instanceof JsonObject o) {
      o.put(last, value);
    } else {
      ((JsonArray) node).set(Integer.parseInt(last), value);
    }
  }

  private static JsonObject tryParse(String text) {
    try {
      return new JsonObject(text);
    } catch (RuntimeException e) {
      return null;
    }
  }

  private static Case text(String kind, String text) {
    return new Case(kind, null, Buffer.buffer(text.getBytes(StandardCharsets.UTF_8)));
  }

  private static Case query(String kind, String query) {
    return new Case(kind, query, null);
  }

  private static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  private static String percentEncode(byte[] bytes) {
    StringBuilder out = new StringBuilder(bytes.length * 3);
    for (byte b : bytes) {
      percent(out, b);
    }
    return out.toString();
  }

  private static StringBuilder percent(StringBuilder out, byte b) {
    return out.append('%').append(HEX.charAt((b >> 4) & 0xF)).append(HEX.charAt(b & 0xF));
  }
}
