package dev.llmrelay.api;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * Event timestamps as the seed writes them, JavaScript's {@code new Date().toISOString()}: UTC with
 * exactly three fraction digits, {@code 2026-11-30T20:08:39.123Z}. The formatted second is kept and
 * shared by every stream of the process: thousands of streams write their events within each second, and
 * only the milliseconds change (a slow stream with its own cache would format the second anew each event).
 */
final class IsoTime {

  private static final DateTimeFormatter SECONDS = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.")
    .withZone(ZoneOffset.UTC);

  /** One formatted second; immutable, so any thread may read the latest one. */
  private record Second(long epochSecond, String prefix) {
  }

  private static volatile Second last = new Second(Long.MIN_VALUE, "");

  private IsoTime() {
  }

  /** Appends {@code epochMillis} as a JSON string: {@code "2026-11-30T20:08:39.123Z"} with its quotes. */
  static StringBuilder appendQuoted(StringBuilder out, long epochMillis) {
    long s = Math.floorDiv(epochMillis, 1000);
    int millis = (int) Math.floorMod(epochMillis, 1000);
    Second second = last;
    if (second.epochSecond() != s) {
      second = new Second(s, SECONDS.format(Instant.ofEpochSecond(s)));
      last = second;
    }
    return out.append('"').append(second.prefix())
      .append((char) ('0' + millis / 100)).append((char) ('0' + millis / 10 % 10)).append((char) ('0' + millis % 10))
      .append("Z\"");
  }

  /** {@code epochMillis} as {@code 2026-11-30T20:08:39.123Z}. */
  static String format(long epochMillis) {
    StringBuilder out = appendQuoted(new StringBuilder(26), epochMillis);
    return out.substring(1, out.length() - 1);
  }
}
