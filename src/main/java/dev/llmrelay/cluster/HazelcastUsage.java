package dev.llmrelay.cluster;

import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.EntryProcessor;
import com.hazelcast.map.IMap;
import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.DataSerializable;
import dev.llmrelay.edge.Denial;
import dev.llmrelay.edge.KeyUsage;
import dev.llmrelay.edge.Quota;
import dev.llmrelay.edge.SharedUsage;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.internal.logging.Logger;
import io.vertx.core.internal.logging.LoggerFactory;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;

import java.io.IOException;
import java.util.Map;
import java.util.UUID;

/**
 * The cluster-wide per-key usage, in the Hazelcast that already carries the cluster's event bus: one
 * entry per client key in the map {@value #MAP}, its value a {@link KeyUsage} as bytes, changed only by
 * entry processors.
 *
 * <p>Why entry processors: an admission must read and change a key's requests, streams, tokens and
 * spend as one step, or two nodes admit the last slot together. An entry processor runs on the key's
 * partition owner, one at a time per key, in a single network round trip, and its backup applies the
 * same step (every input, the time included, travels with it, so both copies agree). Vert.x's own
 * shared data offers counters and a lock but no compute-on-map: a lock plus a read and a write would be
 * three or four round trips per request, and a counter per limit cannot check several limits at once.
 * IAtomicLong would need Hazelcast's CP subsystem (three members at least, else its unsafe mode).
 * Processors and their answers are {@link DataSerializable} (no Java serialization, no factory to
 * register); values are plain bytes.
 *
 * <p>A member that leaves takes its open streams with it: the oldest member left drops that member's
 * stream counts from every entry. The map lives in memory: it survives a member leaving (one backup)
 * but not the whole cluster stopping.
 */
public final class HazelcastUsage implements SharedUsage {

  public static final String MAP = "relay.key-usage";
  private static final String PROBE_KEY = "relay.probe";
  private static final Logger LOG = LoggerFactory.getLogger(HazelcastUsage.class);

  private final Vertx vertx;
  private final HazelcastInstance hazelcast;
  private final IMap<String, byte[]> map;
  private final String node;
  private final UUID listener;

  private HazelcastUsage(Vertx vertx, HazelcastInstance hazelcast) {
    this.vertx = vertx;
    this.hazelcast = hazelcast;
    this.map = hazelcast.getMap(MAP);
    this.node = hazelcast.getCluster().getLocalMember().getUuid().toString();
    this.listener = hazelcast.getCluster().addMembershipListener(new MembershipListener() {
      @Override
      public void memberAdded(MembershipEvent event) {
      }

      @Override
      public void memberRemoved(MembershipEvent event) {
        forget(event);
      }
    });
  }

  /** The usage shared through {@code vertx}'s Hazelcast cluster manager; {@code vertx} must be clustered with it. */
  public static HazelcastUsage of(Vertx vertx) {
    // The cluster manager is only reachable through Vert.x's internal API; the relay builds it (ClusterNode),
    // so it is always Hazelcast's.
    if (!(((VertxInternal) vertx).clusterManager() instanceof HazelcastClusterManager manager)) {
      throw new IllegalStateException("the cluster-wide limits need the Hazelcast cluster manager");
    }
    return new HazelcastUsage(vertx, manager.getHazelcastInstance());
  }

  @Override
  public String node() {
    return node;
  }

  @Override
  public Future<Verdict> admit(String key, Quota quota, long now, long pendingTokens, long pendingNanos) {
    return call(key, new Admit(quota, now, node, pendingTokens, pendingNanos)).map(Admit::verdict);
  }

  @Override
  public Future<Void> apply(String key, long now, long tokens, long nanos, int released) {
    return call(key, new Apply(now, node, tokens, nanos, released)).mapEmpty();
  }

  @Override
  public Future<Void> ping() {
    return Future.fromCompletionStage(map.getAsync(PROBE_KEY), vertx.getOrCreateContext()).mapEmpty();
  }

  @Override
  public void close() {
    try {
      hazelcast.getCluster().removeMembershipListener(listener);
    } catch (RuntimeException gone) {
      // Hazelcast already shut down with Vert.x.
    }
  }

  private <R> Future<R> call(String key, EntryProcessor<String, byte[], R> processor) {
    try {
      return Future.fromCompletionStage(map.submitToKey(key, processor), vertx.getOrCreateContext());
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
  }

  private void forget(MembershipEvent event) {
    if (!hazelcast.getCluster().getMembers().iterator().next().localMember()) {
      return; // the oldest member does it, once
    }
    String gone = event.getMember().getUuid().toString();
    vertx.executeBlocking(() -> map.executeOnEntries(new Forget(gone)), false)
      .onFailure(e -> LOG.warn("Per-key limits: could not drop the open streams of departed member " + gone
        + " (" + e + "); they count until their keys' entries change"));
  }

  /** Admits one request on the key's partition; answers with the verdict as plain numbers. */
  public static final class Admit implements EntryProcessor<String, byte[], long[]>, DataSerializable {
    private Quota quota;
    private long now;
    private String node;
    private long pendingTokens;
    private long pendingNanos;

    public Admit() {
    }

    Admit(Quota quota, long now, String node, long pendingTokens, long pendingNanos) {
      this.quota = quota;
      this.now = now;
      this.node = node;
      this.pendingTokens = pendingTokens;
      this.pendingNanos = pendingNanos;
    }

    @Override
    public long[] process(Map.Entry<String, byte[]> entry) {
      KeyUsage usage = KeyUsage.fromBytes(entry.getValue());
      Denial denial = usage.admit(quota, now, node, pendingTokens, pendingNanos);
      entry.setValue(usage.toBytes(now));
      return denial == null
        ? new long[] {-1, 0, 0, 0, usage.daySpent(now), usage.monthSpent(now)}
        : new long[] {denial.limit().ordinal(), denial.waitMs(), denial.spentNanos(), denial.budgetNanos(),
          usage.daySpent(now), usage.monthSpent(now)};
    }

    static Verdict verdict(long[] r) {
      Denial denial = r[0] < 0 ? null : new Denial(Denial.Limit.values()[(int) r[0]], r[1], r[2], r[3]);
      return new Verdict(denial, r[4], r[5]);
    }

    @Override
    public void writeData(ObjectDataOutput out) throws IOException {
      out.writeInt(quota.requestsPerMinute());
      out.writeInt(quota.concurrentStreams());
      out.writeLong(quota.tokensPerMinute());
      out.writeLong(quota.dailyNanos());
      out.writeLong(quota.monthlyNanos());
      out.writeLong(now);
      out.writeString(node);
      out.writeLong(pendingTokens);
      out.writeLong(pendingNanos);
    }

    @Override
    public void readData(ObjectDataInput in) throws IOException {
      quota = new Quota(in.readInt(), in.readInt(), in.readLong(), in.readLong(), in.readLong());
      now = in.readLong();
      node = in.readString();
      pendingTokens = in.readLong();
      pendingNanos = in.readLong();
    }
  }

  /** Adds a node's charges and frees its ended streams. */
  public static final class Apply implements EntryProcessor<String, byte[], Boolean>, DataSerializable {
    private long now;
    private String node;
    private long tokens;
    private long nanos;
    private int released;

    public Apply() {
    }

    Apply(long now, String node, long tokens, long nanos, int released) {
      this.now = now;
      this.node = node;
      this.tokens = tokens;
      this.nanos = nanos;
      this.released = released;
    }

    @Override
    public Boolean process(Map.Entry<String, byte[]> entry) {
      KeyUsage usage = KeyUsage.fromBytes(entry.getValue());
      usage.charge(now, tokens, nanos);
      usage.release(node, released);
      entry.setValue(usage.toBytes(now));
      return Boolean.TRUE;
    }

    @Override
    public void writeData(ObjectDataOutput out) throws IOException {
      out.writeLong(now);
      out.writeString(node);
      out.writeLong(tokens);
      out.writeLong(nanos);
      out.writeInt(released);
    }

    @Override
    public void readData(ObjectDataInput in) throws IOException {
      now = in.readLong();
      node = in.readString();
      tokens = in.readLong();
      nanos = in.readLong();
      released = in.readInt();
    }
  }

  /** Drops a departed member's open streams from every key. */
  public static final class Forget implements EntryProcessor<String, byte[], Boolean>, DataSerializable {
    private String node;

    public Forget() {
    }

    Forget(String node) {
      this.node = node;
    }

    @Override
    public Boolean process(Map.Entry<String, byte[]> entry) {
      KeyUsage usage = KeyUsage.fromBytes(entry.getValue());
      if (usage.forget(node)) {
        entry.setValue(usage.toBytes(Long.MIN_VALUE)); // keeps every bucket
      }
      return Boolean.TRUE;
    }

    @Override
    public void writeData(ObjectDataOutput out) throws IOException {
      out.writeString(node);
    }

    @Override
    public void readData(ObjectDataInput in) throws IOException {
      node = in.readString();
    }
  }
}
