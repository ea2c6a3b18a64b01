package dev.llmrelay.catalog;

import dev.llmrelay.testing.Await;
import dev.llmrelay.testing.RelayHarness;
import dev.llmrelay.testing.SseClient;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * The live model catalog end to end: {@code GET /api/v1/llm/models} and {@code GET /v1/models} from the
 * upstream's own {@code GET /models} (the simulator's, or a small inline server that answers as told),
 * with {@code conf/models.json} as the fallback and the overrides.
 */
@ExtendWith(VertxExtension.class)
class LiveCatalogTest {

  private static final List<String> FILE_IDS = List.of("anthropic/claude-3.5-sonnet", "openai/gpt-4o",
    "openai/gpt-4o-mini", "google/gemini-pro-1.5", "meta-llama/llama-3.1-70b-instruct", "mistralai/mistral-large");

  @Test
  void theCatalogIsTheSimulatorsModelsWithTheFileLaidOver(Vertx vertx) {
    RelayHarness h = RelayHarness.start(vertx);
    SseClient client = new SseClient(vertx, h.port);
    JsonObject body = awaitSource(client, "upstream");

    // The file's models first, in its order (less the one the upstream no longer lists), then the rest.
    assertEquals(List.of("anthropic/claude-3.5-sonnet", "openai/gpt-4o", "openai/gpt-4o-mini",
      "meta-llama/llama-3.1-70b-instruct", "mistralai/mistral-large", "google/gemini-2.5-flash",
      "deepseek/deepseek-chat-v3.1", "qwen/qwen3-8b:free"), ids(body));
    assertEquals(new JsonObject()
      .put("id", "deepseek/deepseek-chat-v3.1")
      .put("name", "DeepSeek V3.1")
      .put("provider", "DeepSeek")
      .put("created", 1755779628L)
      .put("contextWindow", 163840L)
      .put("pricing", new JsonObject().put("promptPerMTokUsd", 0.2).put("completionPerMTokUsd", 0.8))
      .put("structuredOutput", true)
      .put("tools", true)
      .put("supportedParameters", new JsonArray(List.of("frequency_penalty", "include_reasoning", "max_tokens",
        "presence_penalty", "reasoning", "response_format", "seed", "stop", "structured_outputs", "temperature",
        "tool_choice", "tools", "top_k", "top_p")))
      .put("inputModalities", new JsonArray().add("text"))
      .put("defaults", new JsonObject().put("temperature", 0.6)), model(body, "deepseek/deepseek-chat-v3.1"));
    // The upstream's figures win; the file fills in what it does not say (strengths, default parameters).
    JsonObject llama = model(body, "meta-llama/llama-3.1-70b-instruct");
    assertEquals("Llama 3.1 70B Instruct", llama.getString("name"));
    assertEquals("Meta", llama.getString("provider"));
    assertEquals(131072L, llama.getLong("contextWindow"));
    assertEquals(4096L, llama.getLong("maxOutputTokens"));
    assertEquals(new JsonObject().put("promptPerMTokUsd", 0.1).put("completionPerMTokUsd", 0.28), llama.getJsonObject("pricing"));
    assertEquals(true, llama.getBoolean("structuredOutput"), "the upstream lists response_format; the file said no");
    assertEquals(new JsonObject().put("temperature", 0.7).put("maxTokens", 1024), llama.getJsonObject("defaults"));
    assertEquals(new JsonArray().add("open weights").add("low price"), llama.getJsonArray("strengths"));
    JsonObject mistral = model(body, "mistralai/mistral-large");
    assertEquals("Mistral", mistral.getString("provider"), "no author in the upstream's name: the file's");
    assertEquals(4096L, mistral.getLong("maxOutputTokens"), "no limit upstream: the file's");
    JsonObject free = model(body, "qwen/qwen3-8b:free");
    assertEquals(new JsonObject().put("promptPerMTokUsd", 0.0).put("completionPerMTokUsd", 0.0), free.getJsonObject("pricing"));
    assertEquals(false, free.getBoolean("structuredOutput"));
    assertEquals(false, free.getBoolean("tools"));
    assertNotNull(body.getJsonObject("catalog").getString("updatedAt"));
    assertNull(body.getJsonObject("catalog").getString("error"));
    assertEquals(1, h.simulator.stats().modelsRequests());
  }

  @Test
  void v1ModelsListsTheLiveCatalogInOpenAisShape(Vertx vertx) {
    RelayHarness h = RelayHarness.start(vertx);
    SseClient client = new SseClient(vertx, h.port);
    awaitSource(client, "upstream");

    JsonObject list = new JsonObject(client.get("/v1/models").await().body());
    assertEquals("list", list.getString("object"));
    assertEquals(8, list.getJsonArray("data").size());
    assertEquals(new JsonObject().put("id", "anthropic/claude-3.5-sonnet").put("object", "model")
      .put("created", 1729555200L).put("owned_by", "anthropic").put("name", "Claude 3.5 Sonnet")
      .put("context_length", 200000L), list.getJsonArray("data").getJsonObject(0));
    SseClient.Result one = client.get("/v1/models/deepseek%2Fdeepseek-chat-v3.1").await();
    assertEquals(200, one.status());
    assertEquals(new JsonObject().put("id", "deepseek/deepseek-chat-v3.1").put("object", "model")
      .put("created", 1755779628L).put("owned_by", "deepseek").put("name", "DeepSeek V3.1")
      .put("context_length", 163840L), new JsonObject(one.body()));
    SseClient.Result gone = client.get("/v1/models/google%2Fgemini-pro-1.5").await();
    assertEquals(404, gone.status(), "in the file, but the upstream no longer lists it");
    assertEquals("model_not_found", new JsonObject(gone.body()).getJsonObject("error").getString("code"));
  }

  @Test
  void theFileIsServedUntilTheFirstFetchLands(Vertx vertx) {
    Promise<JsonObject> answer = Promise.promise();
    HttpServer upstream = upstream(vertx, request -> answer.future().onSuccess(json -> request.response()
      .putHeader("Content-Type", "application/json").end(json.encode())));
    RelayHarness h = RelayHarness.start(vertx, c -> c.withUpstream(c.upstream().withUrl(url(upstream), false)));
    SseClient client = new SseClient(vertx, h.port);

    JsonObject before = models(client);
    assertEquals(FILE_IDS, ids(before), "the relay listens while its upstream has not answered yet");
    assertEquals(new JsonObject().put("source", "fallback").putNull("updatedAt").putNull("error"),
      before.getJsonObject("catalog"));
    assertEquals(new JsonObject().put("promptPerMTokUsd", 2.5).put("completionPerMTokUsd", 10.0),
      model(before, "openai/gpt-4o").getJsonObject("pricing"));

    answer.complete(list(orModel("x-ai/grok-4", "xAI: Grok 4", 256000, "0.000003", "0.000015"),
      orModel("openai/gpt-4o", "OpenAI: GPT-4o", 128000, "0.000005", "0.00002")));
    JsonObject after = awaitSource(client, "upstream");
    assertEquals(List.of("openai/gpt-4o", "x-ai/grok-4"), ids(after));
    assertEquals(new JsonObject().put("promptPerMTokUsd", 5.0).put("completionPerMTokUsd", 20.0),
      model(after, "openai/gpt-4o").getJsonObject("pricing"));
  }

  @Test
  void anUpstreamWithoutModelsLeavesTheFileInPlace(Vertx vertx) {
    HttpServer upstream = upstream(vertx, request -> request.response().setStatusCode(404).end("Not Found"));
    RelayHarness h = RelayHarness.start(vertx, c -> c.withUpstream(c.upstream().withUrl(url(upstream), false)));
    SseClient client = new SseClient(vertx, h.port);

    Await.until(() -> "HTTP 404".equals(models(client).getJsonObject("catalog").getString("error")), 5_000,
      "the failed fetch is reported");
    JsonObject body = models(client);
    assertEquals(FILE_IDS, ids(body));
    assertEquals("fallback", body.getJsonObject("catalog").getString("source"));
  }

  @Test
  void aFailedRefreshKeepsTheLastGoodCatalogAndTheNextGoodOneReplacesIt(Vertx vertx) {
    AtomicReference<Consumer<HttpServerRequest>> behaviour = new AtomicReference<>();
    AtomicReference<MultiMap> headers = new AtomicReference<>();
    AtomicInteger fetches = new AtomicInteger();
    HttpServer upstream = upstream(vertx, request -> {
      headers.set(request.headers());
      fetches.incrementAndGet();
      behaviour.get().accept(request);
    });
    JsonObject first = list(orModel("openai/gpt-4o", "OpenAI: GPT-4o", 128000, "0.0000025", "0.00001"),
      orModel("x-ai/grok-4", "xAI: Grok 4", 256000, "0.000003", "0.000015"));
    behaviour.set(json(200, first.encode()));
    RelayHarness h = RelayHarness.start(vertx, c -> c
      .withUpstream(c.upstream().withUrl(url(upstream), false).withApiKey("sk-or-v1-catalog-test"))
      .withHttp(c.http().withModels(c.http().modelsFile(), 100)));
    SseClient client = new SseClient(vertx, h.port);

    JsonObject good = awaitSource(client, "upstream");
    assertEquals(List.of("openai/gpt-4o", "x-ai/grok-4"), ids(good));
    assertEquals("Bearer sk-or-v1-catalog-test", headers.get().get("Authorization"));
    assertEquals("https://github.com/llm-relay/llm-relay", headers.get().get("HTTP-Referer"));
    assertEquals("LLM Relay", headers.get().get("X-OpenRouter-Title"));
    assertEquals("application/json", headers.get().get("Accept"));

    behaviour.set(json(500, "{\"error\":{\"code\":500,\"message\":\"Internal Server Error\"}}"));
    JsonObject failed = awaitError(client, "HTTP 500");
    assertEquals(good.getJsonArray("models"), failed.getJsonArray("models"));
    assertEquals(new JsonObject().put("source", "upstream").put("updatedAt",
      good.getJsonObject("catalog").getString("updatedAt")).put("error", "HTTP 500"), failed.getJsonObject("catalog"));

    behaviour.set(json(200, "<html>maintenance</html>"));
    assertEquals(good.getJsonArray("models"), awaitError(client, "the answer is not a JSON object").getJsonArray("models"));
    behaviour.set(json(200, "{\"data\":[]}"));
    assertEquals(good.getJsonArray("models"), awaitError(client, "the upstream listed no models").getJsonArray("models"));

    behaviour.set(json(200, list(orModel("openai/gpt-4o", "OpenAI: GPT-4o", 128000, "0.000002", "0.000008"),
      orModel("moonshotai/kimi-k2", "MoonshotAI: Kimi K2", 131072, "0.0000006", "0.0000025")).encode()));
    Await.until(() -> ids(models(client)).contains("moonshotai/kimi-k2"), 5_000, "the refresh picks up the change");
    JsonObject changed = models(client);
    assertEquals(List.of("openai/gpt-4o", "moonshotai/kimi-k2"), ids(changed));
    assertEquals(new JsonObject().put("promptPerMTokUsd", 2.0).put("completionPerMTokUsd", 8.0),
      model(changed, "openai/gpt-4o").getJsonObject("pricing"));
    assertNull(changed.getJsonObject("catalog").getString("error"));
    assertEquals(200, client.get("/v1/models/moonshotai%2Fkimi-k2").await().status());
    assertEquals(404, client.get("/v1/models/x-ai%2Fgrok-4").await().status());
  }

  @Test
  void overridesFromTheModelsFileReplaceTheFieldsTheyName(Vertx vertx, @TempDir Path dir) throws Exception {
    Path file = dir.resolve("models.json");
    Files.writeString(file, new JsonObject()
      .put("models", new JsonArray()
        .add(new JsonObject().put("id", "openai/gpt-4o").put("name", "GPT-4o (house)").put("contextWindow", 1)
          .put("strengths", new JsonArray().add("house pick")))
        .add(new JsonObject().put("id", "local/only").put("name", "Not served upstream")))
      .put("overrides", new JsonObject()
        .put("openai/gpt-4o", new JsonObject().put("contextWindow", 64000))
        .put("deepseek/deepseek-chat-v3.1", new JsonObject().put("name", "DeepSeek (pinned)")
          .put("maxOutputTokens", 8000).put("strengths", new JsonArray().add("cheap"))))
      .encodePrettily());
    RelayHarness h = RelayHarness.start(vertx, c -> c.withHttp(c.http().withModels(file.toString(), 3_600_000)));
    SseClient client = new SseClient(vertx, h.port);

    JsonObject body = awaitSource(client, "upstream");
    assertEquals(List.of("openai/gpt-4o", "openai/gpt-4o-mini", "anthropic/claude-3.5-sonnet",
      "google/gemini-2.5-flash", "meta-llama/llama-3.1-70b-instruct", "mistralai/mistral-large",
      "deepseek/deepseek-chat-v3.1", "qwen/qwen3-8b:free"), ids(body));
    JsonObject gpt = model(body, "openai/gpt-4o");
    assertEquals("GPT-4o", gpt.getString("name"), "the upstream's name; the file only fills gaps");
    assertEquals(64000, gpt.getInteger("contextWindow"), "the override");
    assertEquals(new JsonArray().add("house pick"), gpt.getJsonArray("strengths"));
    JsonObject deepseek = model(body, "deepseek/deepseek-chat-v3.1");
    assertEquals("DeepSeek (pinned)", deepseek.getString("name"));
    assertEquals(8000, deepseek.getInteger("maxOutputTokens"));
    assertEquals(new JsonArray().add("cheap"), deepseek.getJsonArray("strengths"));
    assertEquals(163840L, deepseek.getLong("contextWindow"));
    assertEquals(64000, new JsonObject(client.get("/v1/models/openai%2Fgpt-4o").await().body())
      .getInteger("context_length"));
  }

  @Test
  void aRefreshIntervalOfZeroServesTheFileAlone(Vertx vertx) {
    RelayHarness h = RelayHarness.start(vertx, c -> c.withHttp(c.http().withModels(c.http().modelsFile(), 0)));
    SseClient client = new SseClient(vertx, h.port);

    JsonObject body = models(client);
    assertEquals(FILE_IDS, ids(body));
    assertEquals("fallback", body.getJsonObject("catalog").getString("source"));
    assertEquals(0, h.simulator.stats().modelsRequests());
  }

  private static JsonObject models(SseClient client) {
    SseClient.Result result = client.get("/api/v1/llm/models").await();
    assertEquals(200, result.status());
    return new JsonObject(result.body());
  }

  private static JsonObject awaitSource(SseClient client, String source) {
    Await.until(() -> source.equals(models(client).getJsonObject("catalog").getString("source")), 5_000,
      "the catalog's source is " + source);
    return models(client);
  }

  private static JsonObject awaitError(SseClient client, String error) {
    Await.until(() -> error.equals(models(client).getJsonObject("catalog").getString("error")), 5_000,
      "the refresh fails with " + error);
    return models(client);
  }

  private static List<String> ids(JsonObject body) {
    return body.getJsonArray("models").stream().map(m -> ((JsonObject) m).getString("id")).toList();
  }

  private static JsonObject model(JsonObject body, String id) {
    return body.getJsonArray("models").stream().map(JsonObject.class::cast)
      .filter(m -> id.equals(m.getString("id"))).findFirst().orElseThrow(() -> new AssertionError("no " + id));
  }

  /** An upstream that answers {@code GET /api/v1/models} with {@code handler} and anything else with 404. */
  private static HttpServer upstream(Vertx vertx, Consumer<HttpServerRequest> handler) {
    return vertx.createHttpServer().requestHandler(request -> {
      if (request.path().equals("/api/v1/models")) {
        handler.accept(request);
      } else {
        request.response().setStatusCode(404).end();
      }
    }).listen(0, "127.0.0.1").await();
  }

  private static String url(HttpServer server) {
    return "http://127.0.0.1:" + server.actualPort() + "/api/v1";
  }

  private static Consumer<HttpServerRequest> json(int status, String body) {
    return request -> request.response().setStatusCode(status).putHeader("Content-Type", "application/json").end(body);
  }

  private static JsonObject list(JsonObject... models) {
    return new JsonObject().put("data", new JsonArray(List.of((Object[]) models)));
  }

  private static JsonObject orModel(String id, String name, int context, String prompt, String completion) {
    return new JsonObject().put("id", id).put("name", name).put("created", 1750000000).put("context_length", context)
      .put("pricing", new JsonObject().put("prompt", prompt).put("completion", completion))
      .put("supported_parameters", new JsonArray().add("max_tokens").add("temperature").add("tools"));
  }
}
