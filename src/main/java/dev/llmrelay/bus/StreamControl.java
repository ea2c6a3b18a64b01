package dev.llmrelay.bus;

/** A message from the router to the provider of a stream, on {@link Addresses#control}. */
public record StreamControl(Kind kind, int credits) {

  public enum Kind {
    /** The client consumed chunks: the provider may send {@code credits} more. */
    CREDIT,
    /** The client is gone: close the upstream now. */
    CANCEL
  }

  public static StreamControl credit(int credits) {
    return new StreamControl(Kind.CREDIT, credits);
  }

  public static StreamControl cancel() {
    return new StreamControl(Kind.CANCEL, 0);
  }
}
