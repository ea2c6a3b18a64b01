package dev.llmrelay.edge;

import dev.llmrelay.config.SecurityConfig;
import dev.llmrelay.testing.Await;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The cluster side of the limits without a cluster: two nodes' {@link SharedLimiter}s over one in-memory
 * store. Per-token charges make no call until a flush, and the overshoot is what another node has not
 * flushed yet, never this node's own.
 */
@ExtendWith(VertxExtension.class)
class SharedLimiterTest {

  /** One store for several nodes, as the cluster's map is; counts the calls each node makes. */
  static final class Store {
    final Map<String, KeyUsage> usages = new HashMap<>();
    final AtomicInteger admits = new AtomicInteger();
    final AtomicInteger applies = new AtomicInteger();
    final AtomicLong appliedTokens = new AtomicLong();

    SharedUsage node(String name) {
      return new SharedUsage() {
        @Override
        public String node() {
          return name;
        }

        @Override
        public Future<Verdict> admit(String key, Quota quota, long now, long pendingTokens, long pendingNanos) {
          admits.incrementAndGet();
          synchronized (usages) {
            KeyUsage usage = usages.computeIfAbsent(key, k -> new KeyUsage());
            Denial denial = usage.admit(quota, now, name, pendingTokens, pendingNanos);
            return Future.succeededFuture(new Verdict(denial, usage.daySpent(now), usage.monthSpent(now)));
          }
        }

        @Override
        public Future<Void> apply(String key, long now, long tokens, long nanos, int released) {
          applies.incrementAndGet();
          appliedTokens.addAndGet(tokens);
          synchronized (usages) {
            KeyUsage usage = usages.computeIfAbsent(key, k -> new KeyUsage());
            usage.charge(now, tokens, nanos);
            usage.release(name, released);
          }
          return Future.succeededFuture();
        }

        @Override
        public Future<Void> ping() {
          return Future.succeededFuture();
        }
      };
    }
  }

  static final long T0 = 1_800_000_040_000L;
  static final long FLUSH_MS = 300;

  static ClientLimiter node(Vertx vertx, Store store, String name, AtomicLong now) {
    ClientLimiter limiter = new ClientLimiter(now::get);
    limiter.share(new SharedLimiter(vertx, store.node(name), limiter,
      new SecurityConfig.ClusterLimits(250L, FLUSH_MS, 1_000L), new PrometheusMeterRegistry(PrometheusConfig.DEFAULT)));
    return limiter;
  }

  static ClientLimiter.Ticket admit(ClientLimiter limiter, Client client) {
    return limiter.admit(client).await();
  }

  @Test
  void perTokenChargesAreHandedOverInOneCallPerFlushAndTheOvershootIsOnlyTheOtherNodesUnflushedTokens(Vertx vertx) {
    AtomicLong now = new AtomicLong(T0);
    Store store = new Store();
    ClientLimiter a = node(vertx, store, "a", now);
    ClientLimiter b = node(vertx, store, "b", now);
    Client client = new Client("k", new SecurityConfig.Limits(0, 0, 1_000));

    ClientLimiter.Ticket stream = admit(a, client);
    assertNull(stream.denial());
    int appliesBefore = store.applies.get();
    for (int i = 0; i < 1_000; i++) {
      a.charge(client, 1, 0);
    }
    // A thousand tokens, no call yet: the node's own admission weighs them, the other node's cannot.
    assertEquals(appliesBefore, store.applies.get());
    assertEquals(Denial.Limit.TOKENS, admit(a, client).denial().limit());
    ClientLimiter.Ticket overshoot = admit(b, client);
    assertNull(overshoot.denial(), "the other node has not seen them yet: this is the bounded overshoot");
    overshoot.release();

    // Within one flush interval they are handed over, in one call, and hold on every node.
    Await.until(() -> store.appliedTokens.get() == 1_000, 5_000, "the flush");
    assertTrue(store.applies.get() - appliesBefore <= 2, "calls: " + (store.applies.get() - appliesBefore));
    assertEquals(Denial.Limit.TOKENS, admit(b, client).denial().limit());
    stream.release();
  }

  @Test
  void concurrentStreamsAreCountedOnceAcrossNodesAndAnEndedStreamFreesItsSlotAtOnce(Vertx vertx) {
    AtomicLong now = new AtomicLong(T0);
    Store store = new Store();
    ClientLimiter a = node(vertx, store, "a", now);
    ClientLimiter b = node(vertx, store, "b", now);
    Client client = new Client("k", new SecurityConfig.Limits(0, 2, 0));

    ClientLimiter.Ticket one = admit(a, client);
    ClientLimiter.Ticket two = admit(b, client);
    assertNull(one.denial());
    assertNull(two.denial());
    assertEquals(Denial.Limit.CONCURRENCY, admit(a, client).denial().limit());
    assertEquals(Denial.Limit.CONCURRENCY, admit(b, client).denial().limit());
    one.release();
    assertNull(admit(b, client).denial(), "released at the stream's end, not at the next flush");
  }

  @Test
  void spendIsHandedOverAtTheStreamsEndSoABudgetHoldsOnTheOtherNode(Vertx vertx) {
    AtomicLong now = new AtomicLong(T0);
    Store store = new Store();
    ClientLimiter a = node(vertx, store, "a", now);
    ClientLimiter b = node(vertx, store, "b", now);
    Client client = new Client("k", new SecurityConfig.Limits(0, 0, 0), new SecurityConfig.Budget(0.05, null));

    ClientLimiter.Ticket stream = admit(a, client);
    a.charge(client, 0, Quota.nanos(0.06));
    stream.release();
    Denial refused = admit(b, client).denial();
    assertEquals(Denial.Limit.DAILY_BUDGET, refused.limit());
    assertEquals(Quota.nanos(0.06), refused.spentNanos());
    assertTrue(ClientLimiter.error(client, refused).message().contains("daily budget of $0.0500"),
      ClientLimiter.error(client, refused).message());
    // The next UTC day starts afresh.
    now.set(KeyUsage.nextDayMs(now.get()));
    assertNull(admit(b, client).denial());
  }
}
