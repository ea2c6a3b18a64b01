package dev.llmrelay.testing;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.responses.ResponseCreateParams;

import java.time.Duration;

/**
 * The official OpenAI Java SDK pointed at a relay, as an app would use it after swapping its base URL.
 * Retries are off, so each call is exactly one request and a test can count what the simulator saw.
 */
public final class OpenAiSdk {

  private OpenAiSdk() {
  }

  public static OpenAIClient client(int port) {
    return OpenAIOkHttpClient.builder()
      .baseUrl("http://127.0.0.1:" + port + "/v1")
      .apiKey("sk-test-not-used-by-the-relay")
      .maxRetries(0)
      .timeout(Duration.ofSeconds(30))
      .build();
  }

  /** A one-message request to {@code model}. */
  public static ChatCompletionCreateParams.Builder ask(String model, String userText) {
    return ChatCompletionCreateParams.builder().model(model).addUserMessage(userText);
  }

  /** A Responses API request to {@code model} with {@code input} as one user message. */
  public static ResponseCreateParams.Builder respond(String model, String input) {
    return ResponseCreateParams.builder().model(model).input(input);
  }
}
