package dev.llmrelay;

import dev.llmrelay.config.DeploymentConfig;
import dev.llmrelay.config.HttpConfig;
import dev.llmrelay.config.RelayConfig;
import dev.llmrelay.config.UpstreamConfig;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.internal.logging.Logger;
import io.vertx.core.internal.logging.LoggerFactory;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.logging.Level;

/**
 * Warms the relay's hot path before it listens: a throwaway copy of it (its own Vert.x, registry and
 * built-in simulator, on a loopback port, no client keys, same instances, pools and upstream protocol)
 * streams answers through the real router → bus → provider → upstream code, over every streaming API,
 * then is closed. The JIT compiles per class, not per instance, so the relay deployed next starts with
 * that code compiled: a fresh process under a burst otherwise spends its first seconds interpreting and
 * compiling while every stream waits. It does so twice, with two thirds of {@code http.warmupStreams}
 * and then the rest, on a second copy: the compiler throws away code whose profile never saw a branch
 * taken, and a new copy's first requests (on new threads, whose thread-local state is new) and the first
 * copy's close take such branches; the second round compiles that code again with them, so the relay's
 * own first requests find it compiled. The copies log nothing and count in no metric the real relay
 * serves. A warm-up that fails is logged and skipped; it never stops a start.
 */
final class Warmup {

  private static final Logger LOG = LoggerFactory.getLogger(Warmup.class);
  /** Streams open at a time: enough to run the paths that queue, few enough for a small box. */
  private static final int CONCURRENCY = 128;
  /**
   * Twenty tokens with no pause: the per-token path runs often and quickly; and a paced answer, whose
   * pauses take the paths of a real stream that waits for its upstream (a burst of slow streams otherwise
   * makes the JIT throw away code compiled for streams that never wait, and compile it again).
   */
  private static final String FAST = "warm-up [sim tokens=20 paceMs=0]";
  private static final String PACED = "warm-up [sim tokens=10 paceMs=30]";
  /**
   * The last streams, up to {@link #MAX_HOLD}, are opened together and held a while, as a burst holds
   * them: the paths of a large pool, many open streams and their timers.
   */
  private static final String HOLD = "warm-up [sim tokens=4 paceMs=400]";
  private static final int MAX_HOLD = 1_000;
  private static final String MODEL = "openai/gpt-4o-mini";
  private static final String EVENT_SOURCE = "/api/v1/llm/complete/stream";
  private static final String OPENAI = "/v1/chat/completions";
  private static final String ANTHROPIC = "/v1/messages";
  private static final String RESPONSES = "/v1/responses";

  /** The requests the warm-up makes, in turn: most go to the two busiest paths. */
  private static final List<String> REQUESTS = List.of(
    EVENT_SOURCE, OPENAI, EVENT_SOURCE, OPENAI, ANTHROPIC, RESPONSES, EVENT_SOURCE, OPENAI);

  private Warmup() {
  }

  /** What the warm-up did, for the start-up log: its streams, the copies they went through, how many failed. */
  record Outcome(int streams, int copies, int failed, long millis) {
  }

  /**
   * Runs {@code streams} streams through two copies of the relay {@code config} describes, one after the
   * other (two thirds, then the rest), each on a Vert.x of its own made with {@code options}; blocks until
   * they ended and the copies are closed. Call it before the real relay is deployed, off any event loop.
   */
  static Outcome run(RelayConfig config, VertxOptions options, int streams) {
    long start = System.nanoTime();
    java.util.logging.Logger logs = java.util.logging.Logger.getLogger("");
    Level level = logs.getLevel();
    // The copies' start-up lines, simulator warning, access log and metrics registry's notes are not the relay's.
    logs.setLevel(Level.OFF);
    try {
      int copies = 0;
      int failed = 0;
      for (int round : rounds(streams)) {
        if (round > 0) {
          failed += round(config, options, round);
          copies++;
        }
      }
      return new Outcome(streams, copies, failed, (System.nanoTime() - start) / 1_000_000);
    } finally {
      logs.setLevel(level);
    }
  }

  /** The streams of each round: two thirds of them, then the rest. */
  static int[] rounds(int streams) {
    int first = streams - streams / 3;
    return new int[] {first, streams - first};
  }

  /** One copy of the relay, {@code streams} streams through it; returns how many failed. */
  private static int round(RelayConfig config, VertxOptions options, int streams) {
    VertxOptions own = new VertxOptions(options);
    if (options.getMetricsOptions() instanceof MicrometerMetricsOptions metrics) {
      // Vert.x keeps its metrics backends by registry name, process-wide: the copy's must not be the relay's.
      own.setMetricsOptions(new MicrometerMetricsOptions(metrics).setRegistryName("llm-relay-warm-up"));
    }
    Vertx vertx = Vertx.builder().with(own)
      .withMetrics(new MicrometerMetricsFactory(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT))).build();
    try {
      Relay relay = Relay.deploy(vertx, copy(config)).await();
      try {
        return stream(vertx, relay.port(), streams).await();
      } finally {
        relay.stop().await();
      }
    } finally {
      vertx.close().await();
    }
  }

  /**
   * The relay as configured, but standalone, on loopback, with no client keys, no tracing, no live
   * catalog, and the built-in simulator as its upstream spoken to over the protocol the real one will be.
   * It listens on a port the kernel picks as it binds: a port found free beforehand (and closed again) could
   * be the very one the relay is about to take, and whoever waits for it (a health check, a load
   * balancer) would then find the copy there, answering for a few seconds before it closes.
   */
  static RelayConfig copy(RelayConfig config) {
    UpstreamConfig upstream = config.upstream().withUrl(null, true)
      .withHttp2(config.upstream().prefersHttp2() ? "on" : "off");
    HttpConfig http = config.http().withHost("127.0.0.1").withPort(0).withModels(config.http().modelsFile(), 0);
    return config.withHttp(http).withUpstream(upstream)
      .withSecurity(config.security().withClientKeys(List.of()))
      .withDeployment(new DeploymentConfig("standalone", "all", config.deployment().cluster()))
      .withTracing(config.tracing().withEnabled(false));
  }

  /** Runs the streams, {@link #CONCURRENCY} at a time; completes with how many failed. */
  private static Future<Integer> stream(Vertx vertx, int port, int streams) {
    Load load = new Load(vertx, port, streams);
    vertx.runOnContext(v -> load.start());
    return load.done.future();
  }

  /**
   * The warm-up's client side, on one event loop: a finished stream starts the next; once all those have
   * ended, the held ones start together.
   */
  private static final class Load {
    private final int streams;
    /** How many of the streams are held open together at the end. */
    private final int hold;
    /** Kept-alive connections for the fast rounds. */
    private final HttpClient keptAlive;
    /** A new connection per stream for the paced rounds. */
    private final HttpClient fresh;
    /** A new connection per held stream, all at once. */
    private final HttpClient held;
    private final Promise<Integer> done = Promise.promise();
    private int started;
    private int ended;
    private int failed;

    Load(Vertx vertx, int port, int streams) {
      this.streams = streams;
      this.hold = Math.min(MAX_HOLD, streams / 3);
      HttpClientOptions options = new HttpClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(port);
      PoolOptions pool = new PoolOptions().setHttp1MaxSize(CONCURRENCY);
      HttpClientOptions noKeepAlive = new HttpClientOptions(options).setKeepAlive(false);
      keptAlive = vertx.createHttpClient(options, pool);
      fresh = vertx.createHttpClient(noKeepAlive, pool);
      held = vertx.createHttpClient(noKeepAlive, new PoolOptions().setHttp1MaxSize(Math.max(1, hold)));
    }

    void start() {
      if (streams == 0) {
        done.complete(0);
      }
      for (int i = 0; i < Math.min(CONCURRENCY, streams - hold); i++) {
        next();
      }
    }

    private void next() {
      if (started >= streams - hold) {
        return;
      }
      // Rounds of every request alternate: fast on kept-alive connections, paced on new ones, as a burst
      // of new clients arrives.
      boolean fast = started / REQUESTS.size() % 2 == 0;
      String prompt = fast ? FAST : PACED;
      String path = REQUESTS.get(started++ % REQUESTS.size());
      RequestOptions request = request(path, prompt);
      String body = request.getMethod() == HttpMethod.POST ? body(path, prompt) : null;
      send(fast ? keptAlive : fresh, request, body);
    }

    private void startHeld() {
      while (started < streams) {
        started++;
        send(held, request(EVENT_SOURCE, HOLD), null);
      }
    }

    private void send(HttpClient client, RequestOptions request, String body) {
      client.request(request)
        .compose(req -> body == null ? req.send() : req.send(Buffer.buffer(body)))
        .compose(response -> response.body().map(b -> response.statusCode() == 200 && answered(b.toString())))
        .onComplete(ar -> ended(ar.succeeded() && ar.result()));
    }

    private void ended(boolean answered) {
      if (!answered) {
        failed++;
      }
      ended++;
      if (ended == streams) {
        Future.join(keptAlive.close(), fresh.close(), held.close()).onComplete(v -> done.complete(failed));
      } else if (ended == streams - hold) {
        startHeld();
      } else {
        next();
      }
    }
  }

  /** Whether a 200 stream ended without a typed error, in any of the APIs' shapes. */
  private static boolean answered(String stream) {
    return !stream.contains("event: error") && !stream.contains("response.failed") && !stream.contains("{\"error\":");
  }

  private static RequestOptions request(String path, String prompt) {
    if (path.equals(EVENT_SOURCE)) {
      return new RequestOptions().setMethod(HttpMethod.GET).setURI(path + "?model="
        + URLEncoder.encode(MODEL, StandardCharsets.UTF_8) + "&messages="
        + URLEncoder.encode(messages(prompt).encode(), StandardCharsets.UTF_8));
    }
    RequestOptions post = new RequestOptions().setMethod(HttpMethod.POST).setURI(path)
      .putHeader(HttpHeaders.CONTENT_TYPE, "application/json");
    return path.equals(ANTHROPIC) ? post.putHeader("anthropic-version", "2023-06-01") : post;
  }

  private static String body(String path, String prompt) {
    JsonObject body = new JsonObject().put("model", MODEL).put("stream", true);
    return switch (path) {
      case ANTHROPIC -> body.put("max_tokens", 64).put("messages", messages(prompt)).encode();
      case RESPONSES -> body.put("input", prompt).encode();
      default -> body.put("messages", messages(prompt)).encode();
    };
  }

  private static JsonArray messages(String prompt) {
    return new JsonArray().add(new JsonObject().put("role", "user").put("content", prompt));
  }
}
