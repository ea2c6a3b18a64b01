package dev.llmrelay.edge;

import dev.llmrelay.config.SecurityConfig;
import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertSame;

/** The edge's pieces on their own: the sliding minute, the limiter, tokens and key lookup. */
class EdgeUnitsTest {

  @Test
  void theSlidingMinuteForgetsEachSecondSixtySecondsLater() {
    SlidingWindow window = new SlidingWindow();
    window.add(10_000, 4);
    window.add(10_999, 1);
    window.add(30_500, 5);
    assertEquals(10, window.sum(30_500));
    assertEquals(10, window.sum(69_999));
    assertEquals(5, window.sum(70_000));
    assertEquals(0, window.sum(90_000));
    // Below 10 once second 10 leaves (at 70 s); below 5 only once second 30 leaves too (at 90 s).
    assertEquals(39_500, window.msUntilBelow(30_500, 10));
    assertEquals(59_500, window.msUntilBelow(30_500, 5));
    assertEquals(0, window.msUntilBelow(30_500, 11));
  }

  @Test
  void theLimiterCountsRequestsStreamsAndTokensPerClient() {
    AtomicLong now = new AtomicLong(1_000_000);
    ClientLimiter limiter = new ClientLimiter(now::get);
    Client a = new Client("a", new SecurityConfig.Limits(2, 1, 100));
    Client b = new Client("b", new SecurityConfig.Limits(2, 1, 100));

    ClientLimiter.Ticket first = admit(limiter, a);
    assertNull(first.denial());
    assertEquals(Denial.Limit.CONCURRENCY, admit(limiter, a).denial().limit());
    ClientLimiter.Ticket other = admit(limiter, b);
    assertNull(other.denial(), "limits are per client");
    first.release();
    first.release();
    ClientLimiter.Ticket second = admit(limiter, a);
    assertNull(second.denial(), "a ticket frees its slot once");
    second.release();
    ClientLimiter.Ticket rpm = admit(limiter, a);
    assertEquals(Denial.Limit.REQUESTS, rpm.denial().limit());
    assertEquals(60_000, rpm.error().retryAfterMs());
    assertEquals(429, rpm.error().status());

    now.addAndGet(60_000);
    limiter.charge(a, 99, 0);
    ClientLimiter.Ticket third = admit(limiter, a);
    assertNull(third.denial());
    third.release();
    limiter.charge(a, 1, 0);
    now.addAndGet(2_500);
    ClientLimiter.Ticket tpm = admit(limiter, a);
    assertEquals(Denial.Limit.TOKENS, tpm.denial().limit());
    assertEquals(57_500, tpm.error().retryAfterMs());
    now.addAndGet(57_500);
    assertNull(admit(limiter, a).denial());
  }

  /** Standalone admission is decided at once. */
  static ClientLimiter.Ticket admit(ClientLimiter limiter, Client client) {
    io.vertx.core.Future<ClientLimiter.Ticket> ticket = limiter.admit(client);
    assertTrue(ticket.isComplete(), "decided without waiting");
    return ticket.result();
  }

  @Test
  void tokensNameTheirClientExpireAndRejectAnyChange() {
    AtomicLong now = new AtomicLong(5_000);
    Client web = new Client("web.app", new SecurityConfig.Limits(0, 0, 0));
    StreamTokens tokens = new StreamTokens("s".repeat(32), 1_000, now::get);
    StreamTokens.Minted minted = tokens.mint(web);
    assertEquals(6_000, minted.expiresAt());
    assertSame(web, tokens.verify(minted.token(), id -> id.equals("web.app") ? web : null));
    assertNull(tokens.verify(minted.token(), id -> null), "a key removed since");
    assertNull(new StreamTokens("t".repeat(32), 1_000, now::get).verify(minted.token(), id -> web), "another secret");
    String[] parts = minted.token().split("\\.");
    assertNull(tokens.verify(parts[0] + "." + (Long.parseLong(parts[1]) + 1) + "." + parts[2], id -> web));
    assertNull(tokens.verify("", id -> web));
    assertNull(tokens.verify("a.b", id -> web));
    assertNull(tokens.verify("..", id -> web));
    assertNull(tokens.verify(null, id -> web));
    now.set(5_999);
    assertNotNull(tokens.verify(minted.token(), id -> web));
    now.set(6_000);
    assertNull(tokens.verify(minted.token(), id -> web));
  }

  @Test
  void keysAreLookedUpByTheirDigestOnlyWithAWellFormedBearerHeader() {
    SecurityConfig.Limits limits = new SecurityConfig.Limits(1, 2, 3);
    SecurityConfig security = new SecurityConfig(java.util.List.of(new SecurityConfig.ClientKey("k1",
      ClientKeys.sha256Hex("secret-1").toUpperCase(), null)), limits, 1000, null, 0, 0, null, null, false);
    ClientKeys keys = new ClientKeys(security);
    assertEquals("k1", keys.fromAuthorization("Bearer secret-1").id());
    assertEquals(limits, keys.fromAuthorization("bearer secret-1").limits());
    assertNull(keys.fromAuthorization("Bearer secret-2"));
    assertNull(keys.fromAuthorization("Basic secret-1"));
    assertNull(keys.fromAuthorization("Bearer"));
    assertNull(keys.fromAuthorization("Bearer " + ClientKeys.sha256Hex("secret-1")));
    assertEquals("2bb80d537b1da3e38bd30361aa855686bde0eacd7162fef6a25fe97bf527a25b", ClientKeys.sha256Hex("secret"));
  }
}
