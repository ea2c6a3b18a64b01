package dev.llmrelay;

import dev.llmrelay.config.ConfigLoader;
import dev.llmrelay.config.RelayConfig;
import io.vertx.core.VertxOptions;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The start-up warm-up ({@link Warmup}): it streams through copies of the relay whose upstream is the
 * built-in simulator, never the configured one, over every streaming API, and every stream answers.
 * (That it runs before the relay listens and leaves no trace in its metrics and access log is checked
 * on the real {@code java -jar} in {@code RunCommandIT}.)
 */
class WarmupTest {

  /** The shipped config with OpenRouter over TLS as its upstream, as a production relay has it. */
  private static RelayConfig production() {
    RelayConfig config = ConfigLoader.defaults();
    return config.withUpstream(config.upstream().withUrl("https://openrouter.ai/api/v1", false)
      .withApiKey("sk-or-v1-never-sent"));
  }

  @Test
  void everyWarmUpStreamIsAnsweredByTheBuiltInSimulatorNotTheConfiguredUpstream() {
    // The sandbox cannot reach openrouter.ai: a stream sent there would fail and be counted.
    Warmup.Outcome outcome = Warmup.run(production(), new VertxOptions(), 48);
    assertEquals(48, outcome.streams());
    assertEquals(2, outcome.copies());
    assertEquals(0, outcome.failed());
  }

  @Test
  void theWarmUpRunsTwoCopiesTwoThirdsThenTheRest() {
    assertArrayEquals(new int[] {3000, 1500}, Warmup.rounds(4500));
    assertArrayEquals(new int[] {32, 16}, Warmup.rounds(48));
    assertArrayEquals(new int[] {1, 0}, Warmup.rounds(1));
  }

  @Test
  void theCopyIsStandaloneOnLoopbackWithoutKeysOrTracingAndSpeaksTheRealUpstreamsProtocol() {
    RelayConfig real = production();
    real = real.withSecurity(real.security().withClientKeys(List.of(
      new dev.llmrelay.config.SecurityConfig.ClientKey("app", "a".repeat(64), null, null))));
    RelayConfig copy = Warmup.copy(real);
    assertEquals("127.0.0.1", copy.http().host());
    // The kernel picks the copy's port as it binds: never one found free beforehand, which could be the relay's.
    assertEquals(0, copy.http().port());
    assertEquals(0L, copy.http().modelsRefreshMs());
    assertNull(copy.upstream().url());
    assertTrue(copy.upstream().simulated());
    assertTrue(real.upstream().prefersHttp2());
    assertEquals("on", copy.upstream().http2());
    assertTrue(copy.security().clientKeys().isEmpty());
    assertFalse(copy.deployment().clustered());
    assertFalse(copy.tracing().enabled());
  }
}
