package dev.llmrelay.edge;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The per-model and per-key series: time to first token, the gap between tokens, stream duration and
 * tokens per second by {@code model}; requests, tokens and cost by {@code key}. Labels stay bounded: a
 * model is named only if the catalog lists it (else {@code other}, and past {@link #MAX_MODELS} names
 * too), a key by its configured name, never by the key. Meters are found once per label and kept.
 */
final class UsageMetrics {

  static final String OTHER = "other";
  /** Model labels at most, whatever the catalog holds, so a large live catalog cannot blow up the series. */
  static final int MAX_MODELS = 200;

  private static final Duration[] LATENCY = {
    Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500),
    Duration.ofSeconds(1), Duration.ofMillis(2500), Duration.ofSeconds(5), Duration.ofSeconds(10),
    Duration.ofSeconds(30), Duration.ofSeconds(60), Duration.ofSeconds(120), Duration.ofSeconds(300)};
  private static final Duration[] GAPS = {
    Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25), Duration.ofMillis(50),
    Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1),
    Duration.ofSeconds(2), Duration.ofSeconds(5), Duration.ofSeconds(10)};
  private static final double[] RATES = {5, 10, 20, 40, 60, 80, 100, 150, 200, 300, 500, 1000};

  /** One model's meters. */
  static final class ModelMeters {
    final String label;
    final Timer ttft;
    final Timer gap;
    final Timer duration;
    final DistributionSummary tokensPerSecond;

    private ModelMeters(MeterRegistry registry, String label) {
      this.label = label;
      ttft = Timer.builder("relay.model.ttft").tag("model", label)
        .description("Time from request to the first token, by model").serviceLevelObjectives(LATENCY)
        .register(registry);
      gap = Timer.builder("relay.model.token.gap").tag("model", label)
        .description("Time between two tokens of a stream, by model").serviceLevelObjectives(GAPS).register(registry);
      duration = Timer.builder("relay.model.stream.duration").tag("model", label)
        .description("Time from request to the stream's end, by model").serviceLevelObjectives(LATENCY)
        .register(registry);
      tokensPerSecond = DistributionSummary.builder("relay.model.tokens.per.second").tag("model", label)
        .description("Completion tokens per second of a stream from its first token to its end, by model")
        .serviceLevelObjectives(RATES).register(registry);
    }
  }

  /** One client key's meters. */
  static final class KeyMeters {
    private final MeterRegistry registry;
    private final String key;
    private final Counter prompt;
    private final Counter completion;
    private final Map<String, Counter> requests = new ConcurrentHashMap<>();
    private final Map<String, Counter> cost = new ConcurrentHashMap<>();

    private KeyMeters(MeterRegistry registry, String key) {
      this.registry = registry;
      this.key = key;
      prompt = Counter.builder("relay.key.tokens").tag("key", key).tag("kind", "prompt")
        .description("Tokens by client key name and kind").register(registry);
      completion = Counter.builder("relay.key.tokens").tag("key", key).tag("kind", "completion").register(registry);
    }

    void stream(String outcome, long promptTokens, long completionTokens) {
      requests.computeIfAbsent(outcome, o -> Counter.builder("relay.key.requests").tag("key", key).tag("outcome", o)
        .description("Completion streams by client key name and outcome").register(registry)).increment();
      prompt.increment(promptTokens);
      completion.increment(completionTokens);
    }

    void cost(String model, double usd) {
      cost.computeIfAbsent(model, m -> Counter.builder("relay.cost.usd").tag("key", key).tag("model", m)
        .description("Spend in US dollars by client key name and model: the upstream's reported cost, else the "
          + "catalog's prices").register(registry)).increment(usd);
    }
  }

  private final MeterRegistry registry;
  private final PriceList catalog;
  private final Map<String, ModelMeters> models = new ConcurrentHashMap<>();
  private final Map<String, KeyMeters> keys = new ConcurrentHashMap<>();

  UsageMetrics(MeterRegistry registry, PriceList catalog) {
    this.registry = registry;
    this.catalog = catalog;
  }

  /** The meters of the first of these models the catalog lists, else of {@code other}. */
  ModelMeters model(String reported, String requested) {
    String label = catalog.lists(reported) ? reported : catalog.lists(requested) ? requested : OTHER;
    ModelMeters meters = models.get(label);
    if (meters != null) {
      return meters;
    }
    if (models.size() >= MAX_MODELS) {
      label = OTHER;
    }
    return models.computeIfAbsent(label, l -> new ModelMeters(registry, l));
  }

  KeyMeters key(String name) {
    return keys.computeIfAbsent(name, k -> new KeyMeters(registry, k));
  }

  static void record(Timer timer, long nanos) {
    timer.record(nanos, TimeUnit.NANOSECONDS);
  }
}
