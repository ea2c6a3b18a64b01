package dev.llmrelay.bus;

import dev.llmrelay.error.RelayError;

/**
 * One message from a provider to the router that owns a stream, on {@link Addresses#data}.
 * Only {@link Kind#DELTA} costs a credit.
 *
 * @param seq position in the stream, from 1, for ordering checks
 * @param text the content delta ({@code DELTA}), or null
 * @param model the model the upstream reports having used
 * @param finishReason the normalized finish reason ({@code END})
 * @param usage the upstream's usage object as JSON text ({@code END}), or null
 * @param raw the upstream chunk's JSON as received, when the stream was opened with {@code raw}
 * @param bare a raw chunk that carries no content and no other delta (no tool-call or reasoning fragment):
 *             the role-only first chunk, the finish chunk, the usage chunk. A sink may send it together with
 *             the next event: it holds nothing a client acts on at once.
 * @param error the failure ({@code ERROR})
 */
public record StreamChunk(Kind kind, long seq, String text, String model, String finishReason, String usage,
                          String raw, boolean bare, RelayError error) {

  public enum Kind {
    /** The upstream accepted the request (2xx head); the status a client sees can now be chosen. */
    HEAD,
    /** A piece of the answer. */
    DELTA,
    /** The answer is complete. Terminal. */
    END,
    /** The stream failed. Terminal. */
    ERROR,
    /** The provider is alive; sent as a request so the provider learns whether the router still is. */
    PING
  }

  public static StreamChunk head(long seq, String model) {
    return new StreamChunk(Kind.HEAD, seq, null, model, null, null, null, false, null);
  }

  public static StreamChunk delta(long seq, String text, String model, String raw, boolean bare) {
    return new StreamChunk(Kind.DELTA, seq, text, model, null, null, raw, bare, null);
  }

  public static StreamChunk end(long seq, String model, String finishReason, String usage) {
    return new StreamChunk(Kind.END, seq, null, model, finishReason, usage, null, false, null);
  }

  public static StreamChunk error(long seq, RelayError error) {
    return new StreamChunk(Kind.ERROR, seq, null, null, null, null, null, false, error);
  }

  public static StreamChunk ping() {
    return new StreamChunk(Kind.PING, 0, null, null, null, null, null, false, null);
  }

  public boolean terminal() {
    return kind == Kind.END || kind == Kind.ERROR;
  }
}
