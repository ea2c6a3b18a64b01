package dev.llmrelay.http;

import dev.llmrelay.error.RelayError;

/**
 * The shape a client expects its errors in, picked from the request's path: the one place that knows which
 * API a path belongs to. The relay's own shape ({@link RelayError#toJson()}) outside {@code /v1/};
 * Anthropic's ({@link AnthropicErrors}) on {@code /v1/messages}; OpenAI's on {@code /v1/responses}, naming
 * {@code input} where chat completions name {@code messages}; OpenAI's ({@link OpenAiErrors}) elsewhere under
 * {@code /v1/}. A further API under {@code /v1/} gets its own constant here and its own branch in
 * {@link #forPath}, before the {@code /v1/} catch-all.
 */
public enum ErrorFormat {

  /** The EventSource contract's JSON: {@code {"error", "type", "status", "retryable"}}. */
  RELAY {
    @Override
    public String body(RelayError error) {
      return error.toJson().encode();
    }
  },
  /** OpenAI's {@code {"error": {"message", "type", "param", "code"}}}. */
  OPENAI {
    @Override
    public String body(RelayError error) {
      return OpenAiErrors.body(error, null).encode();
    }
  },
  /**
   * OpenAI's shape on the Responses API, whose conversation is {@code input}: a context-length error
   * names that param.
   */
  OPENAI_RESPONSES {
    @Override
    public String body(RelayError error) {
      return OpenAiErrors.body(error, null, "input").encode();
    }
  },
  /** Anthropic's {@code {"type": "error", "error": {"type", "message"}}}. */
  ANTHROPIC {
    @Override
    public String body(RelayError error) {
      return AnthropicErrors.body(error).encode();
    }
  };

  /** Where OpenAI-compatible APIs live; a path here that no other format claims answers in OpenAI's shape. */
  public static final String OPENAI_PREFIX = "/v1/";
  /** Anthropic's Messages API. */
  public static final String ANTHROPIC_MESSAGES = "/v1/messages";

  /** OpenAI's Responses API. */
  public static final String OPENAI_RESPONSES_PATH = "/v1/responses";

  /** The body of a JSON error response in this shape. */
  public abstract String body(RelayError error);

  /** The shape for a request's normalized path. */
  public static ErrorFormat forPath(String path) {
    if (path.equals(ANTHROPIC_MESSAGES)) {
      return ANTHROPIC;
    }
    if (path.equals(OPENAI_RESPONSES_PATH)) {
      return OPENAI_RESPONSES;
    }
    if (path.startsWith(OPENAI_PREFIX)) {
      return OPENAI;
    }
    return RELAY;
  }
}
