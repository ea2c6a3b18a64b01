package dev.llmrelay.testing;

import com.anthropic.client.AnthropicClient;
import com.anthropic.client.okhttp.AnthropicOkHttpClient;
import com.anthropic.models.messages.MessageCreateParams;

import java.time.Duration;

/**
 * The official Anthropic Java SDK pointed at a relay, as an app would use it after swapping its base URL.
 * Retries are off, so each call is exactly one request and a test can count what the simulator saw.
 */
public final class AnthropicSdk {

  private AnthropicSdk() {
  }

  public static AnthropicClient client(int port) {
    return client(port, "sk-ant-test-not-used-by-the-relay");
  }

  /** A client sending {@code apiKey} as {@code x-api-key}, as the SDK does. */
  public static AnthropicClient client(int port, String apiKey) {
    return AnthropicOkHttpClient.builder()
      .baseUrl("http://127.0.0.1:" + port)
      .apiKey(apiKey)
      .maxRetries(0)
      .timeout(Duration.ofSeconds(30))
      .build();
  }

  /** A one-message request to {@code model}. */
  public static MessageCreateParams.Builder ask(String model, String userText) {
    return MessageCreateParams.builder().model(model).maxTokens(1024).addUserMessage(userText);
  }
}
