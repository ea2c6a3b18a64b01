package dev.llmrelay.bus;

/** Event-bus addresses of the stream protocol between router and provider verticles. */
public final class Addresses {

  /** Where providers take {@link OpenRequest}s; every provider instance of every node listens here. */
  public static final String OPEN = "llm.provider.open";

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

  /** Where the router of a stream receives its {@link StreamChunk}s. */
  public static String data(String streamId) {
    return "llm.stream." + streamId + ".data";
  }

  /** Where the provider of a stream receives {@link StreamControl} messages. */
  public static String control(String streamId) {
    return "llm.stream." + streamId + ".ctl";
  }
}
