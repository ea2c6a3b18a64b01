package dev.llmrelay.upstream;

import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The process's admission limit: how many upstream streams its providers hold at once. A stream beyond
 * it is refused at once ({@code overloaded}) instead of waiting for a connection it would only get after
 * a timeout; streams already admitted are never affected. Shared by the process's provider instances.
 */
public final class Admission {

  /** Files kept for everything but streams: the jar, logs, the cluster's sockets, listening ports. */
  static final int RESERVED_FILES = 1_000;
  /** Heap an open stream may cost at most, for the limit's upper bound when files are plentiful. */
  static final long HEAP_PER_STREAM = 64 * 1024;
  private static final Path PORT_RANGE = Path.of("/proc/sys/net/ipv4/ip_local_port_range");

  private final int limit;
  private final AtomicInteger held = new AtomicInteger();

  public Admission(int limit) {
    if (limit < 1) {
      throw new IllegalArgumentException("the admission limit must be 1 or more, not " + limit);
    }
    this.limit = limit;
  }

  /**
   * The limit when none is configured: each stream costs the process one open file for its client
   * connection (when this process serves clients) and one for its upstream connection over HTTP/1.1
   * (over HTTP/2 streams share a few connections), so the open-files limit less a reserve, divided by
   * that, bounded by the heap at {@link #HEAP_PER_STREAM} per stream. Over HTTP/1.1 it is bounded by
   * {@code localPorts} too (when known, above 0): every upstream connection goes to the one upstream
   * address and takes a local port of its own, so a stream beyond them could not connect, a failure of
   * this machine that would count against the upstream's health.
   */
  public static int defaultLimit(long openFiles, long maxHeapBytes, long localPorts, boolean servesClients,
                                 boolean http2) {
    int filesPerStream = (servesClients ? 1 : 0) + (http2 ? 0 : 1);
    long byHeap = Math.max(1, maxHeapBytes / HEAP_PER_STREAM);
    long byFiles = filesPerStream == 0 ? byHeap : Math.max(1, (openFiles - RESERVED_FILES) / filesPerStream);
    long byPorts = http2 || localPorts <= 0 ? Long.MAX_VALUE : localPorts;
    return (int) Math.min(Integer.MAX_VALUE, Math.min(Math.min(byFiles, byHeap), byPorts));
  }

  /**
   * How many local ports connect() may choose from: Linux's {@code net.ipv4.ip_local_port_range} (28,232
   * by default), or -1 where that cannot be read.
   */
  public static long localPorts() {
    return localPorts(PORT_RANGE);
  }

  static long localPorts(Path file) {
    return localPortRange(file).map(PortRange::size).orElse(-1L);
  }

  /** The range of local ports connect() chooses from ({@code net.ipv4.ip_local_port_range}), where readable. */
  public static Optional<PortRange> localPortRange() {
    return localPortRange(PORT_RANGE);
  }

  /**
   * In one read: the sysctl file reports size 0, so {@code Files.readString} reads one byte and then asks
   * for the rest at offset 1, where the kernel answers end of file ("3" instead of "32768 60999").
   */
  static Optional<PortRange> localPortRange(Path file) {
    try (InputStream in = Files.newInputStream(file)) {
      byte[] buffer = new byte[64];
      int read = in.read(buffer);
      String[] bounds = new String(buffer, 0, Math.max(read, 0), StandardCharsets.US_ASCII).trim().split("\\s+");
      return Optional.of(new PortRange(Integer.parseInt(bounds[0]), Integer.parseInt(bounds[1])));
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }

  /** A range of local ports, both ends included. */
  public record PortRange(int low, int high) {
    public long size() {
      return high - low + 1L;
    }
  }

  /** This process's open-files limit, or a conservative 1,024 where the JVM cannot tell. */
  public static long openFilesLimit() {
    if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.UnixOperatingSystemMXBean unix) {
      return unix.getMaxFileDescriptorCount();
    }
    return 1_024;
  }

  /** Takes a place for one stream; false when the limit is reached (nothing is taken then). */
  public boolean tryAcquire() {
    while (true) {
      int now = held.get();
      if (now >= limit) {
        return false;
      }
      if (held.compareAndSet(now, now + 1)) {
        return true;
      }
    }
  }

  public void release() {
    held.decrementAndGet();
  }

  public int limit() {
    return limit;
  }

  public int held() {
    return held.get();
  }
}
