package dev.llmrelay.bus;

/** Event-bus addresses of the stream protocol between router and provider verticles. */
public final class Addresses {

  /** Where providers take {@link OpenRequest}s; every provider instance of every node listens here. */
  public static final String OPEN = "llm.provider.open";

  private Addresses() {
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
