package dev.llmrelay.api;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Event timestamps in the seed's format, JavaScript's {@code Date.prototype.toISOString()}. */
class IsoTimeTest {

  @Test
  void formatsLikeToIsoStringWithExactlyThreeFractionDigits() {
    assertEquals("2026-11-30T20:08:39.123Z", IsoTime.format(1796069319123L));
    assertEquals("1999-12-31T23:59:59.000Z", IsoTime.format(946684799000L));
    assertEquals("1970-01-01T00:00:00.007Z", IsoTime.format(7L));
    assertEquals("1969-12-31T23:59:59.999Z", IsoTime.format(-1L));
  }

  @Test
  void theSharedSecondFollowsTheSecondsItIsGiven() {
    StringBuilder out = new StringBuilder();
    IsoTime.appendQuoted(out, 1796069319123L).append(',');
    IsoTime.appendQuoted(out, 1796069319999L).append(',');
    IsoTime.appendQuoted(out, 1796069320000L).append(',');
    IsoTime.appendQuoted(out, 1796069319050L);
    assertEquals("\"2026-11-30T20:08:39.123Z\",\"2026-11-30T20:08:39.999Z\",\"2026-11-30T20:08:40.000Z\","
      + "\"2026-11-30T20:08:39.050Z\"", out.toString());
  }
}
