package dev.llmrelay.simulator;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.List;

/**
 * The simulator's {@code GET /models}: a handful of plausible models in OpenRouter's shape
 * ({@code {data: [Model], total_count, links}}, prices in USD per token as strings), so the relay's live
 * model catalog runs against it in tests and in simulator mode. The {@code sim/<scenario>} ids are not
 * listed: they are faults, not models, and the relay offers them apart ({@link ScenarioCatalog}).
 */
final class SimulatedModels {

  private static final List<String> OPENAI_PARAMS = List.of("frequency_penalty", "logit_bias", "logprobs",
    "max_tokens", "presence_penalty", "response_format", "seed", "stop", "structured_outputs", "temperature",
    "tool_choice", "tools", "top_logprobs", "top_p");

  private SimulatedModels() {
  }

  static JsonObject toJson() {
    JsonArray data = new JsonArray()
      .add(model("openai/gpt-4o", "OpenAI: GPT-4o", 1715558400, 128000, "0.0000025", "0.00001", 16384,
        OPENAI_PARAMS, List.of("text", "image", "file"), "GPT", null))
      .add(model("openai/gpt-4o-mini", "OpenAI: GPT-4o-mini", 1721260800, 128000, "0.00000015", "0.0000006", 16384,
        OPENAI_PARAMS, List.of("text", "image", "file"), "GPT", null))
      .add(model("anthropic/claude-3.5-sonnet", "Anthropic: Claude 3.5 Sonnet", 1729555200, 200000, "0.000003",
        "0.000015", 8192, List.of("max_tokens", "stop", "temperature", "tool_choice", "tools", "top_k", "top_p"),
        List.of("text", "image", "file"), "Claude", null))
      .add(model("google/gemini-2.5-flash", "Google: Gemini 2.5 Flash", 1750172488, 1048576, "0.0000003",
        "0.0000025", 65535, List.of("include_reasoning", "max_tokens", "reasoning", "response_format", "seed", "stop",
          "structured_outputs", "temperature", "tool_choice", "tools", "top_p"),
        List.of("text", "image", "file", "audio"), "Gemini", null))
      .add(model("meta-llama/llama-3.1-70b-instruct", "Meta: Llama 3.1 70B Instruct", 1721692800, 131072,
        "0.0000001", "0.00000028", 4096, List.of("frequency_penalty", "max_tokens", "min_p", "presence_penalty",
          "repetition_penalty", "response_format", "seed", "stop", "temperature", "tool_choice", "tools", "top_k",
          "top_p"), List.of("text"), "Llama3", null))
      .add(model("mistralai/mistral-large", "Mistral Large", 1708905600, 128000, "0.000002", "0.000006", null,
        List.of("frequency_penalty", "max_tokens", "presence_penalty", "response_format", "seed", "stop",
          "structured_outputs", "temperature", "tool_choice", "tools", "top_p"), List.of("text"), "Mistral", null))
      .add(model("deepseek/deepseek-chat-v3.1", "DeepSeek: DeepSeek V3.1", 1755779628, 163840, "0.0000002",
        "0.0000008", null, List.of("frequency_penalty", "include_reasoning", "max_tokens", "presence_penalty",
          "reasoning", "response_format", "seed", "stop", "structured_outputs", "temperature", "tool_choice", "tools",
          "top_k", "top_p"), List.of("text"), "DeepSeek", new JsonObject().put("temperature", 0.6)
          .put("top_p", 0.95).putNull("frequency_penalty")))
      .add(model("qwen/qwen3-8b:free", "Qwen: Qwen3 8B (free)", 1745876632, 40960, "0", "0", null,
        List.of("include_reasoning", "max_tokens", "reasoning", "seed", "stop", "temperature", "top_p"),
        List.of("text"), "Qwen3", null));
    return new JsonObject().put("data", data).put("total_count", data.size())
      .put("links", new JsonObject().putNull("next"));
  }

  private static JsonObject model(String id, String name, long created, int context, String prompt, String completion,
                                  Integer maxOutput, List<String> params, List<String> inputs, String tokenizer,
                                  JsonObject defaults) {
    return new JsonObject()
      .put("id", id)
      .put("canonical_slug", id.replace(":free", ""))
      .put("name", name)
      .put("created", created)
      .put("description", name + ", as the OpenRouter simulator lists it; answers come from the simulator.")
      .put("context_length", context)
      .put("architecture", new JsonObject()
        .put("modality", String.join("+", inputs) + "->text")
        .put("input_modalities", new JsonArray(inputs))
        .put("output_modalities", new JsonArray().add("text"))
        .put("tokenizer", tokenizer)
        .putNull("instruct_type"))
      .put("pricing", new JsonObject().put("prompt", prompt).put("completion", completion).put("request", "0")
        .put("image", "0").put("web_search", "0").put("internal_reasoning", "0"))
      .put("top_provider", new JsonObject().put("context_length", context).put("max_completion_tokens", maxOutput)
        .put("is_moderated", id.startsWith("openai/") || id.startsWith("anthropic/")))
      .putNull("per_request_limits")
      .put("supported_parameters", new JsonArray(params))
      .put("default_parameters", defaults)
      .putNull("expiration_date");
  }
}
