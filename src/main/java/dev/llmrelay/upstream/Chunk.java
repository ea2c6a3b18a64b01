package dev.llmrelay.upstream;

import dev.llmrelay.error.RelayError;

/**
 * What the relay needs from one upstream {@code chat.completion.chunk}: the first choice's content
 * delta, its finish reason, the model, the usage object (JSON text) and a top-level error.
 * {@code otherDelta} says the first choice's delta carried answer material besides content (tool-call
 * fragments, reasoning, a refusal), or another choice ({@code n} > 1) carried any: the upstream is making
 * progress even though no text of the first choice came.
 */
record Chunk(String content, String finishReason, String model, String usage, RelayError error, boolean done,
             boolean otherDelta) {

  static final Chunk DONE = new Chunk(null, null, null, null, null, true, false);
}
