package dev.llmrelay.upstream;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Which deltas without text still count as the upstream making progress (for the token timeouts). */
class ChunkDeltaProgressTest {

  @Test
  void toolCallFragmentsReasoningAndRefusalsAreProgress() {
    assertTrue(decode("{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"{\\\"q\"}}]}").otherDelta());
    assertTrue(decode("{\"content\":\"\",\"reasoning\":\"Let me think\"}").otherDelta());
    assertTrue(decode("{\"reasoning_details\":[{\"type\":\"reasoning.text\",\"text\":\"hm\"}]}").otherDelta());
    assertTrue(decode("{\"refusal\":\"I can't\"}").otherDelta());
  }

  @Test
  void roleOnlyAndEmptyPlaceholdersAreNot() {
    Chunk role = decode("{\"role\":\"assistant\",\"content\":\"\"}");
    assertFalse(role.otherDelta());
    assertEquals("", role.content());
    assertFalse(decode("{\"role\":\"assistant\",\"content\":null,\"reasoning\":null,\"refusal\":\"\","
      + "\"tool_calls\":[],\"reasoning_details\":[],\"audio\":{}}").otherDelta());
    Chunk text = decode("{\"content\":\"Hi\",\"tool_calls\":null}");
    assertFalse(text.otherDelta());
    assertEquals("Hi", text.content());
    assertNull(text.error());
  }

  private static Chunk decode(String delta) {
    String json = "{\"id\":\"gen-1\",\"choices\":[{\"index\":0,\"delta\":" + delta + ",\"finish_reason\":null}]}";
    return ChunkDecoder.decode(json.getBytes(StandardCharsets.UTF_8));
  }
}
