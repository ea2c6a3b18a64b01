package dev.llmrelay.bus;

/**
 * A message from a router to the provider of a stream, on {@link Addresses#control}.
 *
 * @param credits for {@code CREDIT} the chunks the provider may send more; for {@code RESUME} the new window
 * @param target  for {@code RESUME}: the stream id whose data address the provider sends to from now on; for
 *                {@code CREDIT}, {@code DETACH} and {@code DELIVERED}: the sender's, so a provider ignores a connection it no
 *                longer serves (its messages can arrive after a resume from another router)
 * @param lastSeq for {@code RESUME}: the last event the client has; the provider sends the ones after it
 * @param owner   for {@code RESUME} and {@code DELETE}: the client asking, which must be the stream's own
 */
public record StreamControl(Kind kind, int credits, String target, long lastSeq, String owner) {

  public enum Kind {
    /** The client consumed chunks: the provider may send {@code credits} more. */
    CREDIT,
    /** The client is gone: close the upstream now. */
    CANCEL,
    /** The client of a resumable stream went away: keep generating for the grace period, keep the replay log. */
    DETACH,
    /** A client came back: send the events after {@code lastSeq} to {@code target}, then the live tail. */
    RESUME,
    /** The client ends a resumable stream on purpose: close the upstream now. */
    DELETE,
    /** A router wrote a resumable stream's last event to its client: nothing needs keeping for a resume. */
    DELIVERED
  }

  public static StreamControl credit(int credits, String from) {
    return new StreamControl(Kind.CREDIT, credits, from, 0, null);
  }

  public static StreamControl cancel() {
    return new StreamControl(Kind.CANCEL, 0, null, 0, null);
  }

  public static StreamControl detach(String from) {
    return new StreamControl(Kind.DETACH, 0, from, 0, null);
  }

  public static StreamControl resume(String target, long lastSeq, int credits, String owner) {
    return new StreamControl(Kind.RESUME, credits, target, lastSeq, owner);
  }

  public static StreamControl delivered(String from) {
    return new StreamControl(Kind.DELIVERED, 0, from, 0, null);
  }

  public static StreamControl delete(String owner) {
    return new StreamControl(Kind.DELETE, 0, null, 0, owner);
  }
}
