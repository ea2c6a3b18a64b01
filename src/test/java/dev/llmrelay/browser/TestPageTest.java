package dev.llmrelay.browser;

import dev.llmrelay.simulator.SimStream;
import dev.llmrelay.simulator.SimulatorStats;
import dev.llmrelay.testing.Await;
import dev.llmrelay.testing.Chromium;
import dev.llmrelay.testing.CuttableProxy;
import dev.llmrelay.testing.RelayHarness;
import dev.llmrelay.testing.SseClient;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@code webroot/test-stream.html} in a real headless Chromium against the relay and its simulator (in
 * simulator mode, as a person without an API key sees it). One browser for the class, a fresh relay
 * per test; each test leaves a screenshot in {@code target/screenshots/}.
 */
@ExtendWith(VertxExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(60)
class TestPageTest {

  private static final Duration WAIT = Duration.ofSeconds(15);

  private Chromium chromium;
  private TestPage page;
  private RelayHarness relay;

  @BeforeAll
  void startBrowser() {
    chromium = Chromium.startIfInstalled();
    page = chromium == null ? null : new TestPage(chromium.driver);
  }

  @BeforeEach
  void needsBrowser() {
    assumeTrue(chromium != null, Chromium.MISSING);
  }

  @AfterAll
  void quitBrowser() {
    if (chromium != null) {
      chromium.close();
    }
  }

  @AfterEach
  void screenshot(TestInfo info) {
    if (chromium == null) {
      return;
    }
    chromium.screenshot(Path.of("target", "screenshots", info.getTestMethod().orElseThrow().getName() + ".png"));
    // Leave the page, so its stream (if any) ends before this test's Vert.x closes.
    chromium.driver.get("about:blank");
  }

  private TestPage openPage(Vertx vertx) {
    relay = RelayHarness.start(vertx, c -> c.withUpstream(c.upstream().withUrl(c.upstream().url(), true)));
    return page.open(relay.port);
  }

  /** As {@link #openPage}, once the relay's catalog is the simulator's own {@code /models}. */
  private TestPage openPageWithLiveCatalog(Vertx vertx) {
    relay = RelayHarness.start(vertx, c -> c.withUpstream(c.upstream().withUrl(c.upstream().url(), true)));
    SseClient client = new SseClient(vertx, relay.port);
    Await.until(() -> "upstream".equals(new JsonObject(client.get("/api/v1/llm/models").await().body())
      .getJsonObject("catalog").getString("source")), WAIT.toMillis(), "the relay fetched the simulator's models");
    return page.open(relay.port);
  }

  private SimulatorStats simulator() {
    return relay.simulator.stats();
  }

  @Test
  void aStreamedAnswerAppearsTokenByTokenWithItsFigures(Vertx vertx) {
    openPage(vertx).model("openai/gpt-4o").ask("Tell me about streams [sim tokens=40 paceMs=60]");

    List<String> seen = new ArrayList<>();
    page.waitUntil(WAIT, d -> {
      String status = page.status();
      String text = page.answer();
      if ("streaming".equals(status) && !text.isEmpty() && (seen.isEmpty() || !seen.get(seen.size() - 1).equals(text))) {
        seen.add(text);
      }
      return "done".equals(status);
    });

    SimStream upstream = simulator().streams().get(0);
    String full = upstream.text();
    assertEquals(40, upstream.written());
    assertEquals(full, page.answer());
    for (int i = 0; i < seen.size(); i++) {
      assertTrue(full.startsWith(seen.get(i)), seen.get(i));
      assertTrue(i == 0 || seen.get(i).length() > seen.get(i - 1).length(), "the answer only grows");
    }
    assertTrue(seen.stream().filter(text -> text.length() < full.length()).count() >= 2,
      "the answer grew across at least two looks before it was complete: " + seen);
    assertEquals("done (stop)", page.statusText());
    assertEquals("40", page.stat("tokens"));
    assertEquals("stop", page.stat("finish"));
    assertEquals("17 in · 40 out · 57 total · $0.000000", page.stat("usage"));
    assertEquals("EventSource (GET)", page.stat("transport"));
    assertTrue(page.stat("ttft").matches("[0-9,]+ ms"), page.stat("ttft"));
    assertTrue(page.stat("rate").matches("[0-9.]+"), page.stat("rate"));
    assertEquals("SIMULATOR MODE: no OPENROUTER_API_KEY is set, so answers come from the built-in OpenRouter "
      + "simulator, not from a real model.", page.notice());
    assertEquals(1, simulator().requests());
  }

  @Test
  void theConversationCarriesSystemPromptHistoryAndTheModelsParameters(Vertx vertx) {
    openPage(vertx).model("meta-llama/llama-3.1-70b-instruct");
    assertEquals("0.7", page.value("temperature"), "the model's default temperature");
    page.type("max-tokens", "99999").type("system", "Answer briefly.").ask("First [sim tokens=3 paceMs=0]")
      .waitForStatus("done", WAIT);
    String first = page.answer();
    page.ask("Second [sim tokens=2 paceMs=0]").waitForStatus("done", WAIT);

    assertEquals("4096", page.value("max-tokens"), "clamped to the model's max output");
    List<JsonObject> bodies = simulator().bodies();
    assertEquals(2, bodies.size());
    JsonObject second = bodies.get(1);
    assertEquals("meta-llama/llama-3.1-70b-instruct", second.getString("model"));
    assertEquals(0.7, second.getDouble("temperature"));
    assertEquals(4096, second.getInteger("max_tokens"));
    assertEquals(new JsonArray()
      .add(new JsonObject().put("role", "system").put("content", "Answer briefly."))
      .add(new JsonObject().put("role", "user").put("content", "First [sim tokens=3 paceMs=0]"))
      .add(new JsonObject().put("role", "assistant").put("content", first))
      .add(new JsonObject().put("role", "user").put("content", "Second [sim tokens=2 paceMs=0]")),
      second.getJsonArray("messages"));
    assertEquals("The quick brown ", first);
    assertEquals(List.of("user: First [sim tokens=3 paceMs=0]", "assistant: The quick brown ",
      "user: Second [sim tokens=2 paceMs=0]", "assistant: The quick "), page.transcript());
  }

  @Test
  void theSearchBoxFiltersTheModelsAndTheChosenOneShowsItsContextAndPrice(Vertx vertx) {
    openPageWithLiveCatalog(vertx);
    assertEquals(List.of("anthropic/claude-3.5-sonnet", "openai/gpt-4o", "openai/gpt-4o-mini",
      "meta-llama/llama-3.1-70b-instruct", "mistralai/mistral-large", "google/gemini-2.5-flash",
      "deepseek/deepseek-chat-v3.1", "qwen/qwen3-8b:free"), page.modelIds());
    assertEquals("8 models from the upstream", page.text("model-count"));

    page.search("deep");
    assertEquals(List.of("deepseek/deepseek-chat-v3.1"), page.modelIds());
    assertEquals("deepseek/deepseek-chat-v3.1", page.chosenModel(), "the only match is chosen");
    assertEquals("1 of 8 models from the upstream", page.text("model-count"));
    assertEquals("163,840 tokens", page.capability("Context window"));
    assertEquals("$0.20 in · $0.80 out per million tokens", page.capability("Price"));
    assertEquals("DeepSeek", page.capability("Provider"));
    assertEquals("0.6", page.value("temperature"), "the upstream's default temperature");

    page.search("gpt 4o");
    assertEquals(List.of("openai/gpt-4o", "openai/gpt-4o-mini"), page.modelIds());
    page.model("openai/gpt-4o-mini");
    assertEquals("128,000 tokens", page.capability("Context window"));
    assertEquals("16,384 tokens", page.capability("Max output"));
    assertEquals("$0.15 in · $0.60 out per million tokens", page.capability("Price"));
    assertEquals("supported", page.capability("Structured output"));
    assertEquals("supported", page.capability("Tools"));
    assertEquals("text, image, file", page.capability("Input"));
    assertEquals("1 to 16,384 for this model.", page.text("max-tokens-hint"));

    page.search("mini");
    assertEquals("openai/gpt-4o-mini", page.chosenModel(), "still matching: the choice stays");
    page.search("qwen free");
    assertEquals(List.of("qwen/qwen3-8b:free"), page.modelIds());
    assertEquals("free", page.capability("Price"));
    assertEquals("not supported", page.capability("Tools"));
    page.search("CLAUDE");
    assertEquals(List.of("anthropic/claude-3.5-sonnet"), page.modelIds());
    assertEquals("200,000 tokens", page.capability("Context window"));
    assertEquals("$3.00 in · $15.00 out per million tokens", page.capability("Price"));
    assertEquals("not supported", page.capability("Structured output"), "the upstream lists no response_format");
    page.paste("model-search", "no-such-model"); // at once: typed, its first letters would match some
    assertEquals(List.of("anthropic/claude-3.5-sonnet"), page.modelIds());
    assertEquals("No model matches “no-such-model”; the list is unchanged.", page.text("model-count"));

    page.ask("Hello [sim tokens=2 paceMs=0]").waitForStatus("done", WAIT);
    assertEquals("anthropic/claude-3.5-sonnet", simulator().bodies().get(0).getString("model"));
    page.search("");
    assertEquals(8, page.modelIds().size());
    assertEquals("anthropic/claude-3.5-sonnet", page.chosenModel());
  }

  @Test
  void aWeatherSchemaAnswerIsPrettyPrintedAndValid(Vertx vertx) {
    openPage(vertx).model("openai/gpt-4o").useSchema("weather").ask("Weather in Oslo? [sim paceMs=2]")
      .waitForStatus("done", WAIT);

    JsonObject expected = new JsonObject().put("location", "example").put("temperature", 21.5)
      .put("unit", "celsius").put("conditions", "example").put("humidity", 0)
      .put("forecast", new JsonArray().add(new JsonObject().put("day", "example").put("high", 21.5)
        .put("low", 21.5).put("conditions", "example")));
    assertEquals(expected, new JsonObject(page.answer()));
    assertTrue(page.answer().startsWith("{\n  \"location\": \"example\",\n  \"temperature\": 21.5,\n"),
      "pretty-printed: " + page.answer());
    assertEquals("Checked in your browser: matches the schema", page.checkTitle("browser"));
    assertEquals("Checked by the relay: matches the schema", page.checkTitle("relay"));
    JsonObject format = simulator().bodies().get(0).getJsonObject("response_format");
    assertEquals("json_schema", format.getString("type"));
    assertEquals("weather", format.getJsonObject("json_schema").getString("name"));
    assertEquals(List.of("location", "temperature", "unit", "conditions", "humidity", "forecast"),
      format.getJsonObject("json_schema").getJsonObject("schema").getJsonArray("required").getList());
  }

  @Test
  void anInvalidStructuredAnswerListsItsValidationErrors(Vertx vertx) {
    openPage(vertx).useSchema("weather").scenario("sim/json-invalid").ask("Weather in Oslo? [sim paceMs=2]")
      .waitForStatus("done", WAIT);

    List<String> expected = List.of(
      "$.temperature: string found, number expected",
      "$.humidity: string found, integer expected",
      "$.forecast[0].high: string found, number expected",
      "$.forecast[0].low: string found, number expected",
      "$.forecast[0]: required property 'day' not found",
      "$: required property 'location' not found");
    assertEquals("Checked in your browser: 6 problems", page.checkTitle("browser"));
    assertEquals(expected, page.checkErrors("browser"));
    assertEquals("Checked by the relay: 6 problems", page.checkTitle("relay"));
    assertEquals(expected, page.checkErrors("relay"));
  }

  @Test
  void aRateLimitedRequestSaysSoInWords(Vertx vertx) {
    openPage(vertx).scenario("sim/rate-limit").ask("Hello").waitForStatus("error", WAIT);

    assertEquals("rate_limit", page.errorType());
    assertEquals("The model provider is rate-limiting requests right now. Try again in about 1 second.",
      page.errorSentence());
    assertEquals("error: rate limited", page.statusText());
    assertEquals("Hello", page.value("prompt"), "the unanswered question is back in the box");
    assertEquals(List.of("user unanswered: Hello"), page.transcript());
  }

  @Test
  void stopClosesTheStreamAndTheRelayCancelsTheUpstream(Vertx vertx) {
    openPage(vertx).ask("Tell me a long story [sim tokens=2000 paceMs=20]");
    page.waitUntil(WAIT, d -> page.answer().length() > 20);
    page.clickStop();

    Await.until(() -> simulator().aborted() == 1, WAIT.toMillis(), "the simulator counts the stream as aborted");
    assertEquals("closed", page.status());
    assertEquals("closed (stopped by you)", page.statusText());
    SimStream upstream = simulator().streams().get(0);
    assertTrue(upstream.aborted());
    assertTrue(upstream.written() < 2000, "stopped after " + upstream.written() + " tokens");
    assertTrue(upstream.text().startsWith(page.answer()), "the page shows what it received");
    assertFalse(page.answer().isEmpty());
  }

  @Test
  void aDroppedConnectionResumesByItselfAndTheWholeAnswerAppearsOnce(Vertx vertx) {
    relay = RelayHarness.start(vertx, c -> c.withUpstream(c.upstream().withUrl(c.upstream().url(), true)));
    try (CuttableProxy proxy = CuttableProxy.start(vertx, relay.port)) {
      page.open(proxy.port()).ask("Tell me a story [sim tokens=80 paceMs=40]");
      page.waitUntil(WAIT, d -> page.answer().length() > 30);
      int before = proxy.accepted();
      proxy.cut();
      page.waitForStatus("done", WAIT);

      SimStream upstream = simulator().streams().get(0);
      assertEquals(upstream.text(), page.answer(), "the whole answer, each token once");
      assertEquals("80", page.stat("tokens"));
      assertTrue(page.stat("connection").matches("reconnected — resumed after event [0-9]+"), page.stat("connection"));
      assertTrue(proxy.accepted() > before, "the browser came back on a new connection");
      assertEquals(1, simulator().requests(), "one generation");
      assertEquals(1, relay.relay.health().resumes());
    }
  }

  @Test
  void theTimeoutGivesUpOnAHungUpstreamAndClosesIt(Vertx vertx) {
    openPage(vertx).type("timeout", "2").scenario("sim/hang-first-token").ask("Hello?")
      .waitForStatus("error", WAIT);

    assertEquals("timeout", page.errorType());
    assertEquals("No answer arrived for 2 s, so the page stopped waiting and closed the stream; the relay cancels "
      + "the request to the model. Raise the timeout under Connection, or try again.", page.errorSentence());
    Await.until(() -> simulator().aborted() == 1, WAIT.toMillis(), "the simulator counts the hung stream as aborted");
    assertEquals(0, simulator().streams().get(0).written());
  }

  @Test
  void aSchemaTheRelayRefusesIsExplainedAndNothingGoesUpstream(Vertx vertx) {
    openPage(vertx).useSchema("custom").paste("schema", "{\"$ref\": \"http://127.0.0.1:9/weather.json\"}")
      .ask("Weather?").waitForStatus("error", WAIT);

    assertEquals("bad_request", page.errorType());
    assertEquals("The relay did not accept the request: options.responseFormat.schema: not a usable JSON Schema: "
      + "Schema from 'http://127.0.0.1:9/weather.json' is not allowed to be loaded.", page.errorSentence());
    assertEquals("fetch (POST)", page.stat("transport"), "asked again over POST to read the refusal");
    assertEquals(0, simulator().requests());
  }

  @Test
  void aLongConversationGoesOverThePostStream(Vertx vertx) {
    String longSystemPrompt = "Be thorough. ".repeat(600);
    openPage(vertx).paste("system", longSystemPrompt).ask("Hi [sim tokens=5 paceMs=0]").waitForStatus("done", WAIT);

    assertEquals("fetch (POST)", page.stat("transport"));
    assertEquals("The quick brown fox jumps ", page.answer());
    assertEquals(longSystemPrompt.trim(),
      simulator().bodies().get(0).getJsonArray("messages").getJsonObject(0).getString("content"));
  }
}
