package dev.llmrelay.upstream;

import dev.llmrelay.error.RelayError;

/**
 * What the relay needs from one upstream {@code chat.completion.chunk}: the first choice's content
 * delta, its finish reason, the model, the usage object (JSON text) and a top-level error.
 */
record Chunk(String content, String finishReason, String model, String usage, RelayError error, boolean done) {

  static final Chunk DONE = new Chunk(null, null, null, null, null, true);
}
