package dev.llmrelay.api;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

/** The OpenAI stream's usage chunk gets the edge's cost only where the upstream reported none. */
class OpenAiUsageChunkTest {

  private static final String WITH_COST = "{\"id\":\"gen-1\",\"choices\":[{\"index\":0,\"delta\":{\"cost\":9}}],"
    + "\"usage\":{\"prompt_tokens\":17,\"cost_details\":{\"cost\":null},\"cost\":0.00012,\"completion_tokens\":3}}";

  @Test
  void anUpstreamCostIsLeftAsSentToTheByte() {
    assertSame(WITH_COST, OpenAiStreamSink.withCost(WITH_COST, 0.5));
  }

  @Test
  void aMissingOrNullCostIsTheEdges() {
    assertEquals("{\"id\":\"gen-2\",\"choices\":[],\"usage\":{\"prompt_tokens\":17,\"cost_details\":{\"cost\":1},\"cost\":0.25}}",
      OpenAiStreamSink.withCost("{\"id\":\"gen-2\",\"choices\":[],\"usage\":{\"prompt_tokens\":17,\"cost_details\":{\"cost\":1}}}",
        0.25));
    assertEquals("{\"usage\":{\"cost\":0.25}}", OpenAiStreamSink.withCost("{\"usage\":{\"cost\":null}}", 0.25));
  }

  @Test
  void withoutAPriceOrAUsageObjectTheChunkIsUnchanged() {
    String noUsage = "{\"id\":\"gen-3\",\"choices\":[]}";
    assertSame(noUsage, OpenAiStreamSink.withCost(noUsage, 0.25));
    String chunk = "{\"usage\":{\"prompt_tokens\":1}}";
    assertSame(chunk, OpenAiStreamSink.withCost(chunk, null));
  }
}
