package dev.llmrelay.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SchemaRegistryConfig;
import com.networknt.schema.SpecificationVersion;
import com.networknt.schema.path.PathType;
import dev.llmrelay.error.RelayError;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.List;

/**
 * The JSON Schema a client asked the answer to follow ({@code responseFormat} json_schema), compiled
 * once per request, and the check of the finished answer against it that the final event reports as
 * {@code validation: {valid, errors}}. Providers enforce schemas unevenly, so the relay says plainly
 * whether this answer conforms.
 */
final class AnswerSchema {

  /** Enough to fix an answer; a wildly wrong one would otherwise list every property. */
  static final int MAX_ERRORS = 20;

  private static final ObjectMapper JSON = new ObjectMapper()
    .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  private final Schema schema;

  private AnswerSchema(Schema schema) {
    this.schema = schema;
  }

  /**
   * A registry for client schemas: draft 2020-12 unless a schema names its own {@code $schema}; error
   * locations as JSON paths ({@code $.forecast[0].high}); no cache, since every request brings its
   * own schema; and no loading of {@code $ref}s from outside the schema, so a request cannot make the
   * relay fetch a URL or read a file.
   */
  static SchemaRegistry registry() {
    return SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12, builder -> builder
      .schemaRegistryConfig(SchemaRegistryConfig.builder().pathType(PathType.JSON_PATH).build())
      .schemaCacheEnabled(false)
      .schemaLoader(loader -> loader.fetchRemoteResources(false).block(iri -> true)));
  }

  /**
   * Compiles the schema of a json_schema request, or answers null when {@code schema} is null.
   *
   * @throws dev.llmrelay.error.RelayException {@code bad_request} on {@code options.responseFormat.schema}
   *     when the schema cannot be compiled
   */
  static AnswerSchema compile(SchemaRegistry registry, JsonObject schema) {
    return compile(registry, schema, "options.responseFormat.schema");
  }

  /** The same, for an API whose schema is at {@code field} (a 400 names it). */
  static AnswerSchema compile(SchemaRegistry registry, JsonObject schema, String field) {
    if (schema == null) {
      return null;
    }
    try {
      Schema compiled = registry.getSchema(JSON.readTree(schema.encode()));
      compiled.initializeValidators();
      return new AnswerSchema(compiled);
    } catch (JsonProcessingException | RuntimeException e) {
      throw RelayError.badRequest(field, "not a usable JSON Schema: " + e.getMessage())
        .exception();
    }
  }

  /** {@code {valid, errors}} for a finished answer; errors read {@code <JSON path>: <problem>}. */
  JsonObject check(String answer) {
    JsonNode instance;
    try {
      instance = JSON.readTree(answer);
    } catch (JsonProcessingException e) {
      return result(List.of("$: the answer is not valid JSON (" + e.getOriginalMessage() + ")"));
    }
    if (instance == null || instance.isMissingNode()) {
      return result(List.of("$: the answer is empty, not JSON"));
    }
    try {
      return result(schema.validate(instance).stream().map(Error::toString).toList());
    } catch (RuntimeException e) {
      return result(List.of("$: the schema could not be applied: " + e.getMessage()));
    }
  }

  private static JsonObject result(List<String> errors) {
    JsonArray list = new JsonArray();
    errors.stream().limit(MAX_ERRORS).forEach(list::add);
    if (errors.size() > MAX_ERRORS) {
      list.add("… and " + (errors.size() - MAX_ERRORS) + " more");
    }
    return new JsonObject().put("valid", errors.isEmpty()).put("errors", list);
  }
}
