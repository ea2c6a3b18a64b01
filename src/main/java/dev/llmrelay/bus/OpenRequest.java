package dev.llmrelay.bus;

/**
 * Asks a provider to open one upstream stream; sent to {@link Addresses#OPEN}. The provider registers
 * the stream's control address before it replies, so a cancel can reach it from that moment on.
 *
 * @param streamId unique id; names the stream's data and control addresses
 * @param credits the initial window: how many {@code DELTA} chunks may be in flight
 * @param raw whether each chunk should carry the upstream JSON as received (OpenAI pass-through)
 * @param body the upstream request body, JSON text, with {@code stream: true}
 * @param model the requested model, reported until the upstream names the one it used
 * @param resume how a resumable stream is kept when its client leaves, or null for a plain stream
 * @param traceparent the router's span for this hop as a W3C {@code traceparent}, so the provider's spans
 *                    join the client's trace (across nodes too); null when the stream is not traced
 */
public record OpenRequest(String streamId, int credits, boolean raw, String body, String model, Resume resume,
                          String traceparent) {

  /** A plain stream: leaving cancels it. */
  public OpenRequest(String streamId, int credits, boolean raw, String body, String model) {
    this(streamId, credits, raw, body, model, null, null);
  }

  /**
   * A resumable stream's terms: its public id (its control address; its data goes to {@code streamId}'s),
   * the client it belongs to, how long it runs on without a client, and how much it keeps for replay.
   */
  public record Resume(String id, String owner, long graceMs, long bufferBytes) {
  }
}
