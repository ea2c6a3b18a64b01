package dev.llmrelay.trace;

import dev.llmrelay.testing.Await;
import dev.llmrelay.testing.RelayHarness;
import dev.llmrelay.testing.SseClient;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.EventData;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The relay's spans, read from an in-memory exporter: the tree of one stream (request, stream, bus hop,
 * upstream attempt, upstream request), a client's traceparent continued up to the upstream, a retried
 * attempt, and no prompt or answer text in any attribute.
 */
@ExtendWith(VertxExtension.class)
class TracingTest {

  private static final String MARKER = "zq-marker-5e1f0c";
  private static final String STREAM_ROUTE = "GET /api/v1/llm/complete/stream";

  private InMemorySpanExporter exporter;
  private OpenTelemetrySdk sdk;

  @BeforeEach
  void exporter() {
    exporter = InMemorySpanExporter.create();
    sdk = OpenTelemetrySdk.builder()
      .setTracerProvider(SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(exporter)).build())
      .build();
  }

  @AfterEach
  void close() {
    sdk.close();
  }

  @Test
  void oneStreamMakesOneTraceOfFiveSpansWithoutPromptOrAnswer(Vertx vertx) {
    RelayHarness h = start(vertx);
    String prompt = "Remember " + MARKER + " [sim tokens=6 paceMs=0]";
    SseClient.Result result = new SseClient(vertx, h.port).get(SseClient.query(SseClient.userMessages(prompt), null))
      .await();
    assertEquals(200, result.status());
    assertEquals("[DONE]", result.last().json().getString("text"));

    List<SpanData> spans = spans(5);
    SpanData request = one(spans, STREAM_ROUTE);
    SpanData stream = one(spans, "relay.stream");
    SpanData hop = one(spans, "relay.bus.open");
    SpanData attempt = one(spans, "relay.upstream.attempt");
    SpanData upstream = one(spans, "POST");
    assertFalse(request.getParentSpanContext().isValid(), "the request span is the root");
    assertParent(request, stream);
    assertParent(stream, hop);
    assertParent(hop, attempt);
    assertParent(attempt, upstream);
    assertEquals(SpanKind.SERVER, request.getKind());
    assertEquals(SpanKind.PRODUCER, hop.getKind());
    assertEquals(SpanKind.CLIENT, upstream.getKind());

    assertEquals(200L, request.getAttributes().get(AttributeKey.longKey("http.response.status_code")));
    Attributes life = stream.getAttributes();
    assertEquals("openai/gpt-4o-mini", life.get(AttributeKey.stringKey("gen_ai.request.model")));
    assertEquals("openai/gpt-4o-mini", life.get(AttributeKey.stringKey("gen_ai.response.model")));
    assertEquals(6L, life.get(AttributeKey.longKey("gen_ai.usage.output_tokens")));
    assertEquals("done", life.get(AttributeKey.stringKey("relay.outcome")));
    assertEquals(List.of("stop"), life.get(AttributeKey.stringArrayKey("gen_ai.response.finish_reasons")));
    assertTrue(life.get(AttributeKey.longKey("relay.ttft_ms")) >= 0);
    assertNull(life.get(AttributeKey.stringKey("error.type")));
    assertEquals(1L, attempt.getAttributes().get(AttributeKey.longKey("relay.upstream.attempt")));
    assertEquals(200L, upstream.getAttributes().get(AttributeKey.longKey("http.response.status_code")));
    assertEquals(StatusCode.UNSET, upstream.getStatus().getStatusCode());

    // The upstream got the request span's context: its own spans would join this trace.
    assertEquals(List.of(traceparent(upstream)), h.simulator.stats().traceparents());

    // Neither the prompt nor any of the answer is in a span: the marker, or the answer's first 12 characters.
    String answerStart = result.text().substring(0, 12);
    for (SpanData span : spans) {
      for (String value : values(span)) {
        assertFalse(value.contains(MARKER), span.getName() + " carries the prompt: " + value);
        assertFalse(value.contains(answerStart), span.getName() + " carries the answer: " + value);
      }
    }
  }

  @Test
  void aClientTraceparentIsContinuedUpToTheUpstream(Vertx vertx) {
    RelayHarness h = start(vertx);
    String traceId = "0af7651916cd43dd8448eb211c80319c";
    String clientSpan = "b7ad6b7169203331";
    SseClient.Result result = new SseClient(vertx, h.port).send(HttpMethod.GET,
      SseClient.query(SseClient.userMessages("hello [sim tokens=3 paceMs=0]"), null), null,
      Map.of("traceparent", "00-" + traceId + "-" + clientSpan + "-01"), events -> false).await();
    assertEquals(200, result.status());

    List<SpanData> spans = spans(5);
    for (SpanData span : spans) {
      assertEquals(traceId, span.getTraceId(), span.getName());
    }
    SpanData request = one(spans, STREAM_ROUTE);
    assertEquals(clientSpan, request.getParentSpanId());
    assertTrue(request.getParentSpanContext().isRemote());
    SpanData upstream = one(spans, "POST");
    assertEquals(List.of("00-" + traceId + "-" + upstream.getSpanId() + "-01"), h.simulator.stats().traceparents());
    assertEquals(List.of(traceparent(upstream)), h.simulator.stats().traceparents());
  }

  @Test
  void aRetriedUpstreamShowsTwoAttemptsAndTheBackoff(Vertx vertx) {
    RelayHarness h = start(vertx);
    SseClient.Result result = new SseClient(vertx, h.port)
      .get(SseClient.query(SseClient.userMessages("again [sim failFirst=1 key=trace-retry tokens=3 paceMs=0]"), null))
      .await();
    assertEquals(200, result.status());
    assertEquals("[DONE]", result.last().json().getString("text"));

    List<SpanData> spans = spans(7);
    SpanData hop = one(spans, "relay.bus.open");
    List<SpanData> attempts = all(spans, "relay.upstream.attempt");
    List<SpanData> requests = all(spans, "POST");
    assertEquals(2, attempts.size());
    assertEquals(2, requests.size());
    SpanData first = attempts.get(0);
    SpanData second = attempts.get(1);
    assertParent(hop, first);
    assertParent(hop, second);
    assertParent(first, requests.get(0));
    assertParent(second, requests.get(1));

    assertEquals(1L, first.getAttributes().get(AttributeKey.longKey("relay.upstream.attempt")));
    assertEquals(503L, first.getAttributes().get(AttributeKey.longKey("http.response.status_code")));
    assertEquals("upstream_unavailable", first.getAttributes().get(AttributeKey.stringKey("error.type")));
    assertEquals(StatusCode.ERROR, first.getStatus().getStatusCode());
    Long backoff = first.getAttributes().get(AttributeKey.longKey("relay.retry.backoff_ms"));
    assertTrue(backoff != null && backoff >= 1, "backoff " + backoff);
    EventData retry = first.getEvents().get(0);
    assertEquals("retry", retry.getName());
    assertEquals(backoff, retry.getAttributes().get(AttributeKey.longKey("relay.retry.backoff_ms")));
    // The backoff is the gap between the attempts.
    assertTrue(second.getStartEpochNanos() - first.getEndEpochNanos() >= (backoff - 1) * 1_000_000);

    assertEquals(2L, second.getAttributes().get(AttributeKey.longKey("relay.upstream.attempt")));
    assertEquals(200L, second.getAttributes().get(AttributeKey.longKey("http.response.status_code")));
    assertNull(second.getAttributes().get(AttributeKey.stringKey("error.type")));

    List<String> sent = h.simulator.stats().traceparents();
    assertEquals(2, sent.size());
    assertEquals(traceparent(requests.get(0)), sent.get(0));
    assertEquals(traceparent(requests.get(1)), sent.get(1));
    assertNotEquals(sent.get(0), sent.get(1));
  }

  @Test
  void offMakesNoSpanAndSendsNoTraceparent(Vertx vertx) {
    RelayHarness h = RelayHarness.start(vertx, c -> RelayHarness.instances(c, 1, 1));
    SseClient.Result result = new SseClient(vertx, h.port).send(HttpMethod.GET,
      SseClient.query(SseClient.userMessages("hello [sim tokens=3 paceMs=0]"), null), null,
      Map.of("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"), events -> false).await();
    assertEquals(200, result.status());
    assertEquals(List.of(""), h.simulator.stats().traceparents());
    assertEquals(List.of(), exporter.getFinishedSpanItems());
  }

  private RelayHarness start(Vertx vertx) {
    return RelayHarness.start(vertx, c -> RelayHarness.instances(c, 1, 1), System::currentTimeMillis,
      Tracing.of(sdk));
  }

  /** Exactly {@code count} finished spans, oldest start first: waits for them, then for any stray one. */
  private List<SpanData> spans(int count) {
    Await.until(() -> exporter.getFinishedSpanItems().size() >= count, 5_000, count + " spans");
    try {
      Thread.sleep(200);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    List<SpanData> spans = new ArrayList<>(exporter.getFinishedSpanItems());
    spans.sort(Comparator.comparingLong(SpanData::getStartEpochNanos));
    assertEquals(count, spans.size(), () -> "spans: " + spans.stream().map(SpanData::getName).toList());
    String traceId = spans.get(0).getTraceId();
    for (SpanData span : spans) {
      assertEquals(traceId, span.getTraceId(), "one trace");
    }
    return spans;
  }

  private static SpanData one(List<SpanData> spans, String name) {
    List<SpanData> named = all(spans, name);
    assertEquals(1, named.size(), () -> name + " in " + spans.stream().map(SpanData::getName).toList());
    return named.get(0);
  }

  private static List<SpanData> all(List<SpanData> spans, String name) {
    return spans.stream().filter(s -> s.getName().equals(name)).toList();
  }

  /** The W3C traceparent naming {@code span}: version, trace id, span id, flags. */
  private static String traceparent(SpanData span) {
    return "00-" + span.getTraceId() + "-" + span.getSpanId() + "-" + span.getSpanContext().getTraceFlags().asHex();
  }

  private static void assertParent(SpanData parent, SpanData child) {
    assertEquals(parent.getSpanId(), child.getParentSpanId(), child.getName() + " under " + parent.getName());
  }

  /** Every attribute value of the span and its events, as text. */
  private static List<String> values(SpanData span) {
    List<String> values = new ArrayList<>();
    span.getAttributes().forEach((key, value) -> values.add(String.valueOf(value)));
    for (EventData event : span.getEvents()) {
      event.getAttributes().forEach((key, value) -> values.add(String.valueOf(value)));
    }
    return values;
  }
}
