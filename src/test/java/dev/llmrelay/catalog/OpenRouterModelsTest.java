package dev.llmrelay.catalog;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** OpenRouter's {@code /models} entries as catalog entries, and the models file's own rules. */
class OpenRouterModelsTest {

  @Test
  void anOpenRouterModelBecomesTheEntryThePageShows() {
    JsonObject model = new JsonObject()
      .put("id", "openai/gpt-4o-mini")
      .put("canonical_slug", "openai/gpt-4o-mini-2024-07-18")
      .put("name", "OpenAI: GPT-4o-mini")
      .put("created", 1721260800)
      .put("description", "GPT-4o mini is OpenAI's newest model after GPT-4 Omni...")
      .put("context_length", 128000)
      .put("architecture", new JsonObject().put("modality", "text+image->text")
        .put("input_modalities", new JsonArray().add("text").add("image").add("file"))
        .put("output_modalities", new JsonArray().add("text")).put("tokenizer", "GPT").putNull("instruct_type"))
      .put("pricing", new JsonObject().put("prompt", "0.00000015").put("completion", "0.0000006")
        .put("request", "0").put("image", "0.000217").put("input_cache_read", "0.000000075"))
      .put("top_provider", new JsonObject().put("context_length", 128000).put("max_completion_tokens", 16384)
        .put("is_moderated", true))
      .putNull("per_request_limits")
      .put("supported_parameters", new JsonArray().add("max_tokens").add("temperature").add("response_format")
        .add("tools").add("tool_choice"))
      .put("default_parameters", new JsonObject().putNull("temperature").putNull("top_p"))
      .putNull("expiration_date");

    assertEquals(new JsonObject()
      .put("id", "openai/gpt-4o-mini")
      .put("name", "GPT-4o-mini")
      .put("provider", "OpenAI")
      .put("created", 1721260800L)
      .put("contextWindow", 128000L)
      .put("maxOutputTokens", 16384L)
      .put("pricing", new JsonObject().put("promptPerMTokUsd", 0.15).put("completionPerMTokUsd", 0.6))
      .put("structuredOutput", true)
      .put("tools", true)
      .put("supportedParameters", new JsonArray().add("max_tokens").add("temperature").add("response_format")
        .add("tools").add("tool_choice"))
      .put("inputModalities", new JsonArray().add("text").add("image").add("file")), OpenRouterModels.entry(model));
  }

  @Test
  void whatAModelDoesNotSayIsLeftOutNotGuessed() {
    // A plain OpenAI-compatible list (a self-hosted server): no name, prices or parameters.
    assertEquals(new JsonObject().put("id", "llama3:8b").put("name", "llama3:8b").put("provider", "library")
        .put("created", 1700000000L),
      OpenRouterModels.entry(new JsonObject().put("id", "llama3:8b").put("object", "model").put("created", 1700000000)
        .put("owned_by", "library")));
    // OpenRouter's auto router prices "-1": unknown until it picks a model.
    JsonObject auto = OpenRouterModels.entry(new JsonObject().put("id", "openrouter/auto").put("name", "Auto Router")
      .put("context_length", 2000000).put("pricing", new JsonObject().put("prompt", "-1").put("completion", "-1"))
      .put("supported_parameters", new JsonArray()));
    assertEquals(new JsonObject().put("id", "openrouter/auto").put("name", "Auto Router").put("contextWindow", 2000000L)
      .put("structuredOutput", false).put("tools", false).put("supportedParameters", new JsonArray()), auto);
    assertEquals(null, OpenRouterModels.pricing(new JsonObject().put("prompt", "abc").put("completion", "0")));
    assertEquals(new JsonObject().put("promptPerMTokUsd", 0.0).put("completionPerMTokUsd", 1.25),
      OpenRouterModels.pricing(new JsonObject().put("prompt", "0").put("completion", 0.00000125)));
  }

  @Test
  void aListIsBoundedAndSkipsWhatIsNotAModel() {
    JsonArray data = new JsonArray()
      .add(new JsonObject().put("name", "no id"))
      .add("not an object")
      .add(new JsonObject().put("id", "x".repeat(OpenRouterModels.MAX_ID_CHARS + 1)))
      .add(new JsonObject().put("id", "a/one").put("name", "A: One"))
      .add(new JsonObject().put("id", "a/one").put("name", "A: One again"));
    for (int i = 0; i < OpenRouterModels.MAX_MODELS + 10; i++) {
      data.add(new JsonObject().put("id", "bulk/m" + i));
    }
    List<JsonObject> entries = OpenRouterModels.parse(new JsonObject().put("data", data).encode());

    assertEquals(OpenRouterModels.MAX_MODELS, entries.size());
    assertEquals(new JsonObject().put("id", "a/one").put("name", "One").put("provider", "A"), entries.get(0));
    assertEquals("bulk/m" + (OpenRouterModels.MAX_MODELS - 2), entries.get(entries.size() - 1).getString("id"));
    JsonArray params = new JsonArray();
    for (int i = 0; i < 100; i++) {
      params.add("p" + i);
    }
    assertEquals(OpenRouterModels.MAX_LIST_ITEMS, OpenRouterModels.entry(new JsonObject().put("id", "a/b")
      .put("supported_parameters", params)).getJsonArray("supportedParameters").size());
  }

  @Test
  void anAnswerThatIsNotAModelListIsRefusedWithTheReason() {
    assertEquals("the answer is not a JSON object",
      assertThrows(IllegalArgumentException.class, () -> OpenRouterModels.parse("<html>")).getMessage());
    assertEquals("the answer has no \"data\" list",
      assertThrows(IllegalArgumentException.class, () -> OpenRouterModels.parse("{\"models\":[]}")).getMessage());
  }

  @Test
  void theModelsFileNeedsIdsAndOverridesById() {
    assertEquals("model catalog test.json: every model needs a string \"id\"", assertThrows(IllegalStateException.class,
      () -> ModelCatalog.parse("{\"models\":[{\"name\":\"x\"}]}", "test.json")).getMessage());
    assertEquals("model catalog test.json: \"overrides\" must be an object keyed by model id",
      assertThrows(IllegalStateException.class,
        () -> ModelCatalog.parse("{\"models\":[],\"overrides\":[]}", "test.json")).getMessage());
    ModelCatalog catalog = ModelCatalog.parse("{\"models\":[{\"id\":\"a/b\",\"name\":\"B\"}],"
      + "\"overrides\":{\"a/b\":{\"name\":\"B!\"}}}", "test.json");
    assertEquals(new JsonArray().add(new JsonObject().put("id", "a/b").put("name", "B!")), catalog.models(),
      "overrides apply to the fallback too");
  }
}
