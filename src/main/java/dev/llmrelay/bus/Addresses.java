package dev.llmrelay.bus;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.concurrent.atomic.AtomicLong;

/** Event-bus addresses of the stream protocol between router and provider verticles. */
public final class Addresses {

  /** Where providers take {@link OpenRequest}s; every provider instance of every node listens here. */
  public static final String OPEN = "llm.provider.open";

  /** Where providers that take new streams answer an edge's readiness check. */
  public static final String PROVIDERS = "llm.provider.alive";

  /**
   * This process's part of every stream id: 96 random bits drawn once, so that ids of different
   * nodes of a cluster never meet; a counter tells this process's streams apart. (A random UUID per
   * stream costs a lock and, now and then, a read of /dev/urandom on the path of every new stream.)
   */
  private static final String NODE = randomHex(12);
  private static final AtomicLong STREAMS = new AtomicLong();
  private static final SecureRandom SECURE = new SecureRandom();

  private Addresses() {
  }

  /**
   * Where the provider instance running on event loop {@code eventLoopThread} also takes
   * {@link OpenRequest}s, registered locally only. A router that finds a provider on its own event
   * loop opens its streams there, so every chunk and credit of those streams stays on one thread
   * instead of crossing between event loops; without one it uses {@link #OPEN}.
   */
  public static String localOpen(String eventLoopThread) {
    return OPEN + ".local." + eventLoopThread;
  }

  /** A stream id no other stream of the cluster has had since this process started. */
  public static String newStreamId() {
    return NODE + "-" + Long.toHexString(STREAMS.incrementAndGet());
  }

  /**
   * A resumable stream's public id: 128 random bits, since a client presents it to resume the stream
   * (on any node), so it must not be guessed from another stream's.
   */
  public static String newResumableId() {
    byte[] random = new byte[16];
    SECURE.nextBytes(random);
    return HexFormat.of().formatHex(random);
  }

  private static String randomHex(int bytes) {
    byte[] random = new byte[bytes];
    new SecureRandom().nextBytes(random);
    return HexFormat.of().formatHex(random);
  }

  /** Where the router of a stream receives its {@link StreamChunk}s. */
  public static String data(String streamId) {
    return "llm.stream." + streamId + ".data";
  }

  /** Where the provider of a stream receives {@link StreamControl} messages. */
  public static String control(String streamId) {
    return "llm.stream." + streamId + ".ctl";
  }
}
