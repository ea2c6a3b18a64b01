package dev.llmrelay.edge;

import dev.llmrelay.config.HttpConfig;
import dev.llmrelay.config.RelayConfig;
import dev.llmrelay.config.SecurityConfig;
import dev.llmrelay.testing.RelayHarness;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Sends at least 10,000 generated bad inputs ({@link BadInputs}, seeded) at each endpoint, over a
 * bounded number of keep-alive connections, with a valid key so they get past authentication (and a
 * share with broken credentials). Every answer must be a 4xx JSON error, never a 5xx; the relay must
 * stay up; and nothing may reach the simulator. Prints its counts.
 */
@ExtendWith(VertxExtension.class)
class FuzzTest {

  static final String KEY = "fuzz-key-0123456789";
  static final int CASES = 10_000;
  static final int CONNECTIONS = 16;
  static final long SEED = 0x5EEDL;

  /** One endpoint and how to turn a case number into a request. */
  record Target(String name, HttpMethod method, String path, Function<Random, BadInputs.Case> generate) {
  }

  record Sent(String endpoint, BadInputs.Case input, String auth, int status, String contentType, String body) {
  }

  @Test
  @Timeout(value = 5, unit = TimeUnit.MINUTES)
  void tenThousandBadInputsPerEndpointGetA4xxJsonErrorAndNeverReachTheUpstream(Vertx vertx) {
    RelayHarness h = RelayHarness.start(vertx, c -> {
      RelayConfig keyed = EdgeClient.withKey(c, "fuzz", KEY, new SecurityConfig.Limits(0, 0, 0));
      HttpConfig http = keyed.http();
      return keyed.withHttp(http.withInstances(2).withMaxRequestLineBytes(BadInputs.MAX_URL_BYTES)
          .withMaxBodyBytes(BadInputs.MAX_BODY_BYTES))
        .withSecurity(keyed.security().withInputLimits(BadInputs.MAX_MESSAGES, BadInputs.MAX_TOTAL_CHARS));
    });
    List<Target> targets = List.of(
      new Target("GET stream", HttpMethod.GET, "/api/v1/llm/complete/stream", BadInputs::query),
      new Target("POST stream", HttpMethod.POST, "/api/v1/llm/complete/stream", r -> BadInputs.body(r, true)),
      new Target("POST complete", HttpMethod.POST, "/api/v1/llm/complete", r -> BadInputs.body(r, true)),
      new Target("POST /v1/chat/completions", HttpMethod.POST, "/v1/chat/completions", r -> BadInputs.body(r, false)),
      new Target("GET models", HttpMethod.GET, "/api/v1/llm/models", BadInputs::brokenQuery),
      new Target("POST token", HttpMethod.POST, "/api/v1/llm/token", BadInputs::tokenRequest));
    EdgeClient client = new EdgeClient(vertx, h.port, CONNECTIONS);

    long started = System.nanoTime();
    int total = 0;
    for (Target target : targets) {
      long t0 = System.nanoTime();
      List<Sent> sent = run(client, target);
      long ms = (System.nanoTime() - t0) / 1_000_000;
      Map<Integer, Integer> byStatus = new TreeMap<>();
      int serverErrors = 0;
      for (Sent s : sent) {
        byStatus.merge(s.status(), 1, Integer::sum);
        if (s.status() >= 500) {
          serverErrors++;
        }
      }
      System.out.printf("fuzz %-26s cases sent: %d, by status: %s, 5xx seen: %d (%d ms)%n", target.name(),
        sent.size(), byStatus, serverErrors, ms);
      for (Sent s : sent) {
        if (s.status() < 0) {
          System.out.println("fuzz: no answer: " + describe(s));
        }
      }
      for (Sent s : sent) {
        assertTrue(s.status() >= 400 && s.status() < 500, () -> describe(s));
        assertTrue(s.contentType() != null && s.contentType().startsWith("application/json"), () -> describe(s));
        JsonObject error = new JsonObject(s.body());
        if (target.path().startsWith("/v1/")) {
          String type = error.getJsonObject("error").getString("type");
          assertTrue(type.equals("invalid_request_error") || type.equals("authentication_error"), () -> describe(s));
        } else {
          assertEquals(s.status(), error.getInteger("status"), () -> describe(s));
          assertTrue(error.getString("type").equals("bad_request") || error.getString("type").equals("auth"),
            () -> describe(s));
        }
      }
      assertEquals(CASES, sent.size());
      assertEquals(0, serverErrors);
      total += sent.size();
    }
    long upstreamCalls = h.simulator.stats().requests();
    System.out.printf("fuzz total: cases sent: %d in %d ms, 5xx seen: 0, upstream calls: %d%n", total,
      (System.nanoTime() - started) / 1_000_000, upstreamCalls);
    assertEquals(0, upstreamCalls);

    // Still standing: a valid request goes through.
    EdgeClient.Response ok = client.post("/api/v1/llm/complete", EdgeClient.bearer(KEY),
      BadInputs.validRelayBody().encode()).await();
    assertEquals(200, ok.status(), ok.body());
    assertEquals(1, h.simulator.stats().requests());
  }

  private static List<Sent> run(EdgeClient client, Target target) {
    AtomicInteger next = new AtomicInteger();
    ConcurrentLinkedQueue<Sent> results = new ConcurrentLinkedQueue<>();
    List<Future<Void>> workers = new ArrayList<>();
    for (int i = 0; i < CONNECTIONS; i++) {
      workers.add(work(client, target, next, results));
    }
    Future.all(workers).await();
    return new ArrayList<>(results);
  }

  private static Future<Void> work(EdgeClient client, Target target, AtomicInteger next,
                                   ConcurrentLinkedQueue<Sent> results) {
    int n = next.getAndIncrement();
    if (n >= CASES) {
      return Future.succeededFuture();
    }
    Random random = new Random(SEED * 31 + target.name().hashCode() * 1_000_003L + n);
    BadInputs.Case input = target.generate().apply(random);
    Map<String, String> headers = credentials(random);
    String uri = input.query() == null ? target.path() : target.path() + "?" + input.query();
    Future<EdgeClient.Response> response = client.send(target.method(), uri, headers, input.body());
    return response
      .timeout(30, TimeUnit.SECONDS)
      .map(r -> new Sent(target.name(), input, auth(headers), r.status(), r.headers().get("Content-Type"), r.body()))
      .otherwise(t -> new Sent(target.name(), input, auth(headers), -1, null, String.valueOf(t)))
      .compose(sent -> {
        results.add(sent);
        return work(client, target, next, results);
      });
  }

  /** Mostly the valid key, so inputs reach validation; now and then credentials that are broken too. */
  private static Map<String, String> credentials(Random random) {
    int roll = random.nextInt(20);
    if (roll == 0) {
      return Map.of("Content-Type", "application/json");
    }
    if (roll == 1) {
      String[] bad = {"Bearer", "Bearer  ", "bearer " + KEY + KEY, "Bearer " + "k".repeat(600), "Token " + KEY,
        "Bearer \u00ff\u00fe", "Bearer " + KEY.substring(1)};
      return Map.of("Authorization", bad[random.nextInt(bad.length)], "Content-Type", "application/json");
    }
    return EdgeClient.bearer(KEY);
  }

  private static String auth(Map<String, String> headers) {
    String value = headers.get("Authorization");
    return value == null ? "no key" : value.equals("Bearer " + KEY) ? "key" : "bad key";
  }

  private static String describe(Sent s) {
    String bytes = (s.input().query() == null ? "" : "?" + s.input().query()) + " "
      + (s.input().body() == null ? "" : s.input().body().toString());
    bytes = bytes.length() > 300 ? bytes.substring(0, 300) + "…" : bytes;
    return s.endpoint() + " [" + s.input().kind() + ", " + s.auth() + "] " + bytes + " → " + s.status() + " " + s.contentType() + " "
      + (s.body().length() > 300 ? s.body().substring(0, 300) : s.body());
  }
}
