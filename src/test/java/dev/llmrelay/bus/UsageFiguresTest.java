package dev.llmrelay.bus;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** Reading an upstream's usage object without a map of it, and adding the cost the edge priced. */
class UsageFiguresTest {

  @Test
  void theFourFiguresWhateverElseTheObjectHolds() {
    UsageFigures u = UsageFigures.read("{\"prompt_tokens\":17,\"prompt_tokens_details\":{\"cached_tokens\":4},"
      + "\"completion_tokens\":20.0,\"total_tokens\":37,\"cost\":0.000123,\"cost_details\":[1,{\"a\":null}]}");
    assertEquals(new UsageFigures(17L, 20L, 37L, 0.000123), u);
  }

  @Test
  void absentOrNullFiguresAreNullAndAnIntegerCostStaysAnInteger() {
    assertEquals(new UsageFigures(null, null, null, null), UsageFigures.read("{}"));
    assertEquals(new UsageFigures(3L, null, null, 0), UsageFigures.read(" {\"prompt_tokens\":3,\"total_tokens\":null,\"cost\":0} "));
  }

  @Test
  void anythingButAnObjectWithNumericFiguresIsNoUsage() {
    assertNull(UsageFigures.read(null));
    assertNull(UsageFigures.read("[1,2]"));
    assertNull(UsageFigures.read("\"usage\""));
    assertNull(UsageFigures.read("{\"prompt_tokens\":\"17\"}"));
    assertNull(UsageFigures.read("{\"cost\":{\"usd\":1}}"));
    assertNull(UsageFigures.read("{\"prompt_tokens\":1} {}"));
    assertNull(UsageFigures.read("{\"prompt_tokens\":1,"));
  }

  @Test
  void theCostGoesLastWrittenAsADouble() {
    assertEquals("{\"prompt_tokens\":3,\"completion_tokens\":5,\"cost\":1.7E-5}",
      UsageFigures.withCost("{\"prompt_tokens\":3,\"completion_tokens\":5}", 0.000017));
    assertEquals("{ \"prompt_tokens\": 3 ,\"cost\":0.25}", UsageFigures.withCost("{ \"prompt_tokens\": 3 }", 0.25));
    assertEquals("{ \"cost\":0.0}", UsageFigures.withCost("{ }", 0.0));
  }

  @Test
  void inAChunkOnlyTheTopLevelUsageCounts() {
    assertEquals(new UsageFigures(17L, null, null, 0.5), UsageFigures.inChunk("{\"id\":\"gen-1\",\"choices\":[{\"delta\":"
      + "{\"cost\":9}}],\"usage\":{\"prompt_tokens\":17,\"cost_details\":{\"cost\":1},\"cost\":0.5}}"));
    assertNull(UsageFigures.inChunk("{\"id\":\"gen-2\",\"choices\":[],\"cost\":1,\"x\":{\"usage\":{\"cost\":1}}}"));
    assertNull(UsageFigures.inChunk("{\"usage\":null}"));
    assertNull(UsageFigures.inChunk("not json"));
  }
}
