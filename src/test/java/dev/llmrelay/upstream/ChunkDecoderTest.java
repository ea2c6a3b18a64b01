package dev.llmrelay.upstream;

import dev.llmrelay.error.ErrorType;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Decoding OpenRouter chunks, including the shapes PROTOCOL.md lists as pitfalls. */
class ChunkDecoderTest {

  private static Chunk decode(String json) {
    return ChunkDecoder.decode(json.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void contentModelAndFinishReasonOfTheFirstChoice() {
    Chunk c = decode("{\"id\":\"gen-1\",\"provider\":\"OpenAI\",\"model\":\"openai/gpt-4o\",\"object\":\"chat.completion.chunk\","
      + "\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"Hé\\u00e9\\\"\",\"reasoning\":null},"
      + "\"finish_reason\":\"stop\",\"native_finish_reason\":\"stop\",\"logprobs\":null}],\"system_fingerprint\":null}");
    assertEquals("Héé\"", c.content());
    assertEquals("stop", c.finishReason());
    assertEquals("openai/gpt-4o", c.model());
    assertNull(c.usage());
    assertNull(c.error());
    assertFalse(c.done());
  }

  @Test
  void usageChunkWithEmptyChoicesKeepsTheUsageAsTheUpstreamWroteIt() {
    Chunk c = decode("{\"choices\":[],\"usage\": {\"prompt_tokens\":3, \"completion_tokens\":5,\"total_tokens\":8,"
      + "\"cost\":0.0001,\"cost_details\":{\"upstream_inference_cost\":null},\"note\":\"é}\"} }");
    assertNull(c.content());
    assertEquals("{\"prompt_tokens\":3, \"completion_tokens\":5,\"total_tokens\":8,\"cost\":0.0001,"
      + "\"cost_details\":{\"upstream_inference_cost\":null},\"note\":\"é}\"}", c.usage());
  }

  @Test
  void usageSpreadOverSeveralDataLinesComesBackOnOneLine() {
    Chunk c = decode("{\"choices\":[],\"usage\":{\"prompt_tokens\":3,\n\"completion_tokens\":5,\r\n\"cost\":0.5}}");
    assertEquals("{\"prompt_tokens\":3,\"completion_tokens\":5,\"cost\":0.5}", c.usage());
  }

  @Test
  void topLevelErrorWithFinishReasonError() {
    Chunk c = decode("{\"id\":\"gen-abc123\",\"object\":\"chat.completion.chunk\",\"created\":1234567890,\"model\":\"openai/gpt-4o\","
      + "\"provider\":\"OpenAI\",\"error\":{\"code\":429,\"message\":\"Rate limit exceeded\",\"metadata\":{\"error_type\":"
      + "\"rate_limit_exceeded\"}},\"choices\":[{\"index\":0,\"delta\":{\"content\":\"\"},\"finish_reason\":\"error\"}]}");
    assertEquals(ErrorType.RATE_LIMIT, c.error().type());
    assertEquals(429, c.error().status());
    assertTrue(c.error().message().contains("rate limit"), c.error().message());
  }

  @Test
  void topLevelErrorWithEmptyChoicesAndStringCode() {
    Chunk c = decode("{\"choices\":[],\"error\":{\"code\":\"server_error\",\"message\":\"Internal provider error\"}}");
    assertEquals(ErrorType.UPSTREAM_UNAVAILABLE, c.error().type());
    assertEquals(502, c.error().status());
  }

  @Test
  void contextLengthErrorByType() {
    Chunk c = decode("{\"error\":{\"code\":400,\"message\":\"too long\",\"metadata\":{\"error_type\":\"context_length_exceeded\"}}}");
    assertEquals(ErrorType.CONTEXT_LENGTH, c.error().type());
    assertTrue(c.error().message().contains("context length"));
  }

  @Test
  void doneSentinelToleratesSurroundingWhitespace() {
    assertSame(Chunk.DONE, decode("[DONE]"));
    assertSame(Chunk.DONE, decode(" [DONE] "));
  }

  @Test
  void malformedJsonIsAProtocolError() {
    assertEquals(ErrorType.UPSTREAM_PROTOCOL, decode("{\"choices\":[{\"delta\":{\"content\":\"oops").error().type());
    assertEquals(ErrorType.UPSTREAM_PROTOCOL, decode(": OPENROUTER PROCESSING").error().type());
    assertEquals(ErrorType.UPSTREAM_PROTOCOL, decode("{\"a\":1} {\"b\":2}").error().type());
  }

  @Test
  void toolCallFragmentsReasoningAndRefusalsCountAsProgressWithoutText() {
    assertTrue(delta("{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"{\\\"q\"}}]}").otherDelta());
    assertTrue(delta("{\"content\":\"\",\"reasoning\":\"Let me think\"}").otherDelta());
    assertTrue(delta("{\"reasoning_details\":[{\"type\":\"reasoning.text\",\"text\":\"hm\"}]}").otherDelta());
    assertTrue(delta("{\"refusal\":\"I can't\"}").otherDelta());
  }

  @Test
  void roleOnlyDeltasAndEmptyPlaceholdersAreNotProgress() {
    Chunk role = delta("{\"role\":\"assistant\",\"content\":\"\"}");
    assertFalse(role.otherDelta());
    assertEquals("", role.content());
    assertFalse(delta("{\"role\":\"assistant\",\"content\":null,\"reasoning\":null,\"refusal\":\"\","
      + "\"tool_calls\":[],\"reasoning_details\":[],\"audio\":{}}").otherDelta());
    Chunk text = delta("{\"content\":\"Hi\",\"tool_calls\":null}");
    assertFalse(text.otherDelta());
    assertEquals("Hi", text.content());
  }

  @Test
  void anotherChoicesTextIsProgressButNotTheFirstChoicesText() {
    // n = 2: each chunk carries one choice's delta; the second choice's are answer material too, so the
    // OpenAI path writes them at once instead of holding them as bare chunks.
    Chunk second = decode("{\"id\":\"gen-1\",\"choices\":[{\"index\":1,\"delta\":{\"content\":\"Bonjour\"},"
      + "\"finish_reason\":null}]}");
    assertNull(second.content());
    assertTrue(second.otherDelta());
    Chunk both = decode("{\"id\":\"gen-1\",\"choices\":[{\"index\":1,\"delta\":{\"role\":\"assistant\","
      + "\"content\":\"\"}},{\"index\":0,\"delta\":{\"content\":\"Hello\"},\"finish_reason\":\"stop\"}]}");
    assertEquals("Hello", both.content());
    assertEquals("stop", both.finishReason());
    assertFalse(both.otherDelta(), "the second choice's role-only delta is no material");
    assertFalse(decode("{\"id\":\"gen-1\",\"choices\":[{\"index\":1,\"delta\":{\"role\":\"assistant\","
      + "\"content\":null,\"refusal\":\"\"},\"finish_reason\":null}]}").otherDelta());
    assertTrue(decode("{\"id\":\"gen-1\",\"choices\":[{\"index\":1,\"delta\":{\"tool_calls\":[{\"index\":0,"
      + "\"function\":{\"name\":\"search\"}}]}}]}").otherDelta());
  }

  private static Chunk delta(String delta) {
    return decode("{\"id\":\"gen-1\",\"choices\":[{\"index\":0,\"delta\":" + delta + ",\"finish_reason\":null}]}");
  }
}
