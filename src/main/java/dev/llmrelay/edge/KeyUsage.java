package dev.llmrelay.edge;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInput;
import java.io.DataInputStream;
import java.io.DataOutput;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.Map;

/**
 * What one client key has used: requests and tokens over the last minute, its open streams (per node,
 * so a node that leaves a cluster can be forgotten), and its spend in the current UTC day and month. The
 * one place that decides whether a key may start another request, used alike by a process's own limits
 * and, as the value of a cluster-wide map entry, by the cluster's ({@code dev.llmrelay.cluster}).
 * Not thread-safe: its owner locks, or Hazelcast runs it on the entry's partition thread.
 */
public final class KeyUsage {

  private final SlidingWindow requests;
  private final SlidingWindow tokens;
  private final Map<String, Integer> streams;
  private long day = Long.MIN_VALUE;
  private long daySpent;
  private long month = Long.MIN_VALUE;
  private long monthSpent;

  public KeyUsage() {
    this(new SlidingWindow(), new SlidingWindow(), new HashMap<>());
  }

  private KeyUsage(SlidingWindow requests, SlidingWindow tokens, Map<String, Integer> streams) {
    this.requests = requests;
    this.tokens = tokens;
    this.streams = streams;
  }

  /**
   * Admits one request of {@code node} (counts it and one open stream there) or says why not.
   *
   * @param pendingTokens tokens the caller has charged but not yet added here, weighed as if they were
   * @param pendingNanos  spend likewise
   * @return null when admitted
   */
  public Denial admit(Quota quota, long now, String node, long pendingTokens, long pendingNanos) {
    long monthSpend = monthSpent(now) + pendingNanos;
    if (quota.monthlyNanos() > 0 && monthSpend >= quota.monthlyNanos()) {
      return new Denial(Denial.Limit.MONTHLY_BUDGET, nextMonthMs(now) - now, monthSpend, quota.monthlyNanos());
    }
    long daySpend = daySpent(now) + pendingNanos;
    if (quota.dailyNanos() > 0 && daySpend >= quota.dailyNanos()) {
      return new Denial(Denial.Limit.DAILY_BUDGET, nextDayMs(now) - now, daySpend, quota.dailyNanos());
    }
    if (quota.concurrentStreams() > 0 && openStreams() >= quota.concurrentStreams()) {
      return new Denial(Denial.Limit.CONCURRENCY, 1000, 0, 0);
    }
    if (quota.requestsPerMinute() > 0 && requests.sum(now) >= quota.requestsPerMinute()) {
      return new Denial(Denial.Limit.REQUESTS, requests.msUntilBelow(now, quota.requestsPerMinute()), 0, 0);
    }
    if (quota.tokensPerMinute() > 0 && tokens.sum(now) + pendingTokens >= quota.tokensPerMinute()) {
      // Pending tokens leave the window no sooner than the oldest charged one; the wait is a lower bound.
      return new Denial(Denial.Limit.TOKENS,
        tokens.msUntilBelow(now, Math.max(1, quota.tokensPerMinute() - pendingTokens)), 0, 0);
    }
    record(now, node);
    return null;
  }

  /** Counts a request and its stream without checking: one another holder of the limits already admitted. */
  public void record(long now, String node) {
    requests.add(now, 1);
    streams.merge(node, 1, Integer::sum);
  }

  /** {@code count} of {@code node}'s streams have ended. */
  public void release(String node, int count) {
    Integer open = streams.get(node);
    if (open != null) {
      if (open - count > 0) {
        streams.put(node, open - count);
      } else {
        streams.remove(node);
      }
    }
  }

  /** Adds tokens to the minute and spend to the day and month. */
  public void charge(long now, long tokenCount, long nanos) {
    if (tokenCount > 0) {
      tokens.add(now, tokenCount);
    }
    if (nanos > 0) {
      daySpent(now);
      monthSpent(now);
      daySpent += nanos;
      monthSpent += nanos;
    }
  }

  /** Raises this day's and month's spend to what the cluster last said it was, if that is more. */
  public void atLeast(long now, long clusterDaySpent, long clusterMonthSpent) {
    daySpent = Math.max(daySpent(now), clusterDaySpent);
    monthSpent = Math.max(monthSpent(now), clusterMonthSpent);
  }

  /** The streams of a node that is gone no longer count. */
  public boolean forget(String node) {
    return streams.remove(node) != null;
  }

  public int openStreams() {
    int open = 0;
    for (int n : streams.values()) {
      open += n;
    }
    return open;
  }

  public long daySpent(long now) {
    long today = Math.floorDiv(now, 86_400_000L);
    if (today != day) {
      day = today;
      daySpent = 0;
    }
    return daySpent;
  }

  public long monthSpent(long now) {
    long thisMonth = monthOf(now);
    if (thisMonth != month) {
      month = thisMonth;
      monthSpent = 0;
    }
    return monthSpent;
  }

  static long monthOf(long now) {
    YearMonth ym = YearMonth.from(Instant.ofEpochMilli(now).atZone(ZoneOffset.UTC));
    return ym.getYear() * 12L + ym.getMonthValue() - 1;
  }

  static long nextDayMs(long now) {
    return (Math.floorDiv(now, 86_400_000L) + 1) * 86_400_000L;
  }

  static long nextMonthMs(long now) {
    YearMonth next = YearMonth.from(Instant.ofEpochMilli(now).atZone(ZoneOffset.UTC)).plusMonths(1);
    return next.atDay(1).atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
  }

  /** This usage as bytes, as a cluster map holds it; only the minute up to {@code now} is kept. */
  public byte[] toBytes(long now) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(64);
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      write(out, now);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  public static KeyUsage fromBytes(byte[] bytes) {
    if (bytes == null) {
      return new KeyUsage();
    }
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
      return read(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void write(DataOutput out, long now) throws IOException {
    requests.write(out, now);
    tokens.write(out, now);
    out.writeShort(streams.size());
    for (Map.Entry<String, Integer> e : streams.entrySet()) {
      out.writeUTF(e.getKey());
      out.writeInt(e.getValue());
    }
    out.writeLong(day);
    out.writeLong(daySpent);
    out.writeLong(month);
    out.writeLong(monthSpent);
  }

  private static KeyUsage read(DataInput in) throws IOException {
    SlidingWindow requests = SlidingWindow.read(in);
    SlidingWindow tokens = SlidingWindow.read(in);
    int nodes = in.readUnsignedShort();
    Map<String, Integer> streams = new HashMap<>();
    for (int i = 0; i < nodes; i++) {
      streams.put(in.readUTF(), in.readInt());
    }
    KeyUsage usage = new KeyUsage(requests, tokens, streams);
    usage.day = in.readLong();
    usage.daySpent = in.readLong();
    usage.month = in.readLong();
    usage.monthSpent = in.readLong();
    return usage;
  }
}
