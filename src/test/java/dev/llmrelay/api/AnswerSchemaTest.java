package dev.llmrelay.api;

import com.networknt.schema.SchemaRegistry;
import dev.llmrelay.error.RelayException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The server-side check of structured answers: exact verdicts and messages, and no remote loading. */
class AnswerSchemaTest {

  private static final JsonObject WEATHER = new JsonObject("""
    {"type": "object",
     "properties": {
       "location": {"type": "string"},
       "temperature": {"type": "number"},
       "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]},
       "humidity": {"type": "integer", "minimum": 0, "maximum": 100},
       "forecast": {"type": "array", "items": {"type": "object",
         "properties": {"day": {"type": "string"}, "high": {"type": "number"}}, "required": ["day", "high"]}}
     },
     "required": ["location", "temperature", "unit"],
     "additionalProperties": false}""");

  private final SchemaRegistry registry = AnswerSchema.registry();

  @Test
  void aConformingAnswerIsValid() {
    AnswerSchema schema = AnswerSchema.compile(registry, WEATHER);

    JsonObject result = schema.check("""
      {"location": "Oslo", "temperature": -3.5, "unit": "celsius", "humidity": 80,
       "forecast": [{"day": "Mon", "high": 1}]}""");

    assertEquals(new JsonObject().put("valid", true).put("errors", new JsonArray()), result);
  }

  @Test
  void eachViolationIsListedWithItsJsonPath() {
    AnswerSchema schema = AnswerSchema.compile(registry, WEATHER);

    JsonObject result = schema.check("""
      {"temperature": "21.5", "unit": "kelvin", "humidity": 101, "forecast": [{"day": "Mon"}], "wind": 3}""");

    assertEquals(false, result.getBoolean("valid"));
    assertEquals(List.of(
      "$.temperature: string found, number expected",
      "$.unit: does not have a value in the enumeration [\"celsius\", \"fahrenheit\"]",
      "$.humidity: must have a maximum value of 100",
      "$.forecast[0]: required property 'high' not found",
      "$: required property 'location' not found",
      "$: property 'wind' is not defined in the schema and the schema does not allow additional properties"),
      result.getJsonArray("errors").getList());
  }

  @Test
  void textThatIsNotOneJsonValueIsInvalid() {
    AnswerSchema schema = AnswerSchema.compile(registry, WEATHER);

    assertEquals(List.of("$: the answer is not valid JSON (Unexpected end-of-input in field name)"),
      schema.check("{\"location\": \"Oslo\", \"temp").getJsonArray("errors").getList());
    assertEquals(false, schema.check("{\"location\": \"Oslo\"} and more").getBoolean("valid"));
    assertEquals(List.of("$: the answer is empty, not JSON"), schema.check("").getJsonArray("errors").getList());
  }

  @Test
  void errorsAreCappedWithACountOfTheRest() {
    JsonObject properties = new JsonObject();
    JsonArray required = new JsonArray();
    for (int i = 0; i < 25; i++) {
      properties.put("p" + i, new JsonObject().put("type", "string"));
      required.add("p" + i);
    }
    AnswerSchema schema = AnswerSchema.compile(registry,
      new JsonObject().put("type", "object").put("properties", properties).put("required", required));

    JsonArray errors = schema.check("{}").getJsonArray("errors");

    assertEquals(AnswerSchema.MAX_ERRORS + 1, errors.size());
    assertEquals("$: required property 'p0' not found", errors.getString(0));
    assertEquals("… and 5 more", errors.getString(AnswerSchema.MAX_ERRORS));
  }

  @Test
  void localReferencesResolveButNothingIsLoadedFromOutsideTheSchema() {
    AnswerSchema local = AnswerSchema.compile(registry, new JsonObject()
      .put("$defs", new JsonObject().put("city", new JsonObject().put("type", "string")))
      .put("$ref", "#/$defs/city"));
    assertEquals(List.of("$: integer found, string expected"), local.check("7").getJsonArray("errors").getList());

    for (String outside : List.of("http://127.0.0.1:9/schema.json", "file:///etc/passwd", "classpath:conf/models.json")) {
      RelayException e = assertThrows(RelayException.class,
        () -> AnswerSchema.compile(registry, new JsonObject().put("$ref", outside)), outside);
      assertEquals("options.responseFormat.schema", e.error().field());
      assertEquals("options.responseFormat.schema: not a usable JSON Schema: Schema from '" + outside
        + "' is not allowed to be loaded.", e.error().message());
    }
  }

  @Test
  void olderDraftsNamedBySchemaAreBuiltIn() {
    AnswerSchema draft7 = AnswerSchema.compile(registry, new JsonObject()
      .put("$schema", "http://json-schema.org/draft-07/schema#").put("type", "string"));

    assertEquals(false, draft7.check("1").getBoolean("valid"));
    assertEquals(true, draft7.check("\"one\"").getBoolean("valid"));
  }

  @Test
  void noSchemaMeansNoCheck() {
    assertNull(AnswerSchema.compile(registry, null));
  }
}
