package dev.llmrelay.edge;

import dev.llmrelay.config.SecurityConfig;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.internal.logging.Logger;
import io.vertx.core.internal.logging.LoggerFactory;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A cluster node's side of the cluster-wide limits: admits each request with one atomic call on the
 * key's {@link SharedUsage} and hands over what it charges in batches, so the limits of a key hold across
 * every edge node.
 *
 * <p>Cost: an admission is one cluster call, answered within {@code clusterLimits.timeoutMs} or not
 * waited for; a stream's end is one more (its slot, tokens and spend together). Tokens charged while
 * streams run are summed per key and handed over every {@code flushMs}, never per token. Admissions
 * weigh this node's own unflushed charges, so a key on one node is held as exactly as standalone; what
 * another node has not flushed yet (at most {@code flushMs} of its charges) is the overshoot.
 *
 * <p>When a call fails or times out the node falls back to its own, per-process limits (logged once per
 * change, {@code relay_limits_mode}, {@code relay_limits_fallbacks_total}); charges wait for the cluster,
 * which a probe every {@code retryMs} looks for. The node returns to the cluster's limits once it answers.
 */
final class SharedLimiter {

  private static final Logger LOG = LoggerFactory.getLogger(SharedLimiter.class);

  /** One key's charges not yet handed to the cluster, and its streams that ended meanwhile. */
  private static final class Pending {
    long tokens;
    long nanos;
    int released;

    synchronized long[] take() {
      long[] taken = {tokens, nanos, released};
      tokens = 0;
      nanos = 0;
      released = 0;
      return taken;
    }

    synchronized void add(long t, long n, int r) {
      tokens += t;
      nanos += n;
      released += r;
    }

    synchronized long[] peek() {
      return new long[] {tokens, nanos};
    }
  }

  private final Vertx vertx;
  private final SharedUsage shared;
  private final ClientLimiter local;
  private final SecurityConfig.ClusterLimits settings;
  private final Map<String, Pending> pending = new ConcurrentHashMap<>();
  private final AtomicBoolean clusterMode = new AtomicBoolean(true);
  private final Counter fallbacks;
  private final long timer;
  private volatile long probeAt;

  SharedLimiter(Vertx vertx, SharedUsage shared, ClientLimiter local, SecurityConfig.ClusterLimits settings,
                MeterRegistry registry) {
    this.vertx = vertx;
    this.shared = shared;
    this.local = local;
    this.settings = settings;
    Gauge.builder("relay.limits.mode", clusterMode, m -> m.get() ? 1 : 0).tag("mode", "cluster")
      .description("Where this node's per-key limits hold: 1 for the mode in force (cluster: across the "
        + "cluster; local: per process, the cluster's data being out of reach)").register(registry);
    Gauge.builder("relay.limits.mode", clusterMode, m -> m.get() ? 0 : 1).tag("mode", "local").register(registry);
    fallbacks = Counter.builder("relay.limits.fallbacks")
      .description("Times this node fell back from the cluster's limits to its own").register(registry);
    timer = vertx.setPeriodic(settings.flushMs(), id -> tick());
  }

  boolean clusterMode() {
    return clusterMode.get();
  }

  Future<ClientLimiter.Ticket> admit(Client client, Quota quota) {
    long now = local.now();
    long[] unflushed = pending(client).peek();
    Future<SharedUsage.Verdict> call = shared.admit(client.id(), quota, now, unflushed[0], unflushed[1]);
    Promise<ClientLimiter.Ticket> decided = Promise.promise();
    AtomicBoolean done = new AtomicBoolean();
    long timeout = vertx.setTimer(settings.timeoutMs(), id -> {
      if (done.compareAndSet(false, true)) {
        fallBack("no answer within " + settings.timeoutMs() + " ms");
        decided.complete(local.admitHere(client, quota));
      }
    });
    call.onComplete(ar -> {
      if (done.compareAndSet(false, true)) {
        vertx.cancelTimer(timeout);
        if (ar.succeeded()) {
          decided.complete(local.admittedShared(client, ar.result(), now));
        } else {
          fallBack(String.valueOf(ar.cause()));
          decided.complete(local.admitHere(client, quota));
        }
      } else if (ar.succeeded() && ar.result().denial() == null) {
        // Admitted there after this node stopped waiting: that stream runs under the local limits, so its
        // slot in the cluster goes back at the next flush.
        pending(client).add(0, 0, 1);
      }
    });
    return decided.future();
  }

  /** A stream admitted by the cluster ended: its slot goes back now, with the key's charges. */
  void release(Client client) {
    pending(client).add(0, 0, 1);
    flush(client.id());
  }

  void charge(Client client, long tokens, long nanos) {
    pending(client).add(tokens, nanos, 0);
    if (nanos > 0) {
      // Spend arrives once per stream, at its end: hand it over at once, so a budget holds on every node.
      flush(client.id());
    }
  }

  void close() {
    vertx.cancelTimer(timer);
    shared.close();
  }

  private void tick() {
    if (clusterMode.get()) {
      pending.keySet().forEach(this::flush);
    } else if (System.currentTimeMillis() >= probeAt) {
      probeAt = System.currentTimeMillis() + settings.retryMs();
      shared.ping().timeout(settings.timeoutMs(), java.util.concurrent.TimeUnit.MILLISECONDS).onSuccess(v -> {
        if (clusterMode.compareAndSet(false, true)) {
          LOG.info("Per-key limits: the cluster's shared usage answers again; limits and budgets hold across the "
            + "cluster once more (what this node charged meanwhile is handed over now)");
          pending.keySet().forEach(this::flush);
        }
      });
    }
  }

  private void flush(String key) {
    Pending p = pending.get(key);
    if (p == null || !clusterMode.get()) {
      return;
    }
    long[] taken = p.take();
    if (taken[0] == 0 && taken[1] == 0 && taken[2] == 0) {
      return;
    }
    Future<Void> call = shared.apply(key, local.now(), taken[0], taken[1], (int) taken[2]);
    long timeout = vertx.setTimer(settings.timeoutMs(), id -> {
      if (!call.isComplete()) {
        fallBack("no answer within " + settings.timeoutMs() + " ms");
      }
    });
    call.onComplete(ar -> {
      vertx.cancelTimer(timeout);
      if (ar.failed()) {
        // Not applied: keep it for when the cluster answers again. A call that only timed out is waited
        // for, so nothing is handed over twice.
        p.add(taken[0], taken[1], (int) taken[2]);
        fallBack(String.valueOf(ar.cause()));
      }
    });
  }

  private void fallBack(String why) {
    if (clusterMode.compareAndSet(true, false)) {
      fallbacks.increment();
      probeAt = System.currentTimeMillis() + settings.retryMs();
      LOG.warn("Per-key limits: the cluster's shared usage is out of reach (" + why + "); this node now holds "
        + "keys to its own limits and budgets (per process) and tries the cluster again every "
        + settings.retryMs() + " ms");
    }
  }

  private Pending pending(Client client) {
    return pending.computeIfAbsent(client.id(), id -> new Pending());
  }
}
