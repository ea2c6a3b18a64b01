package dev.llmrelay.api;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * Event timestamps as the seed writes them, JavaScript's {@code new Date().toISOString()}: UTC with
 * exactly three fraction digits, {@code 2026-11-30T20:08:39.123Z}. One per stream: it keeps the
 * formatted second, since a stream writes many events within each second and only the milliseconds change.
 */
final class IsoTime {

  private static final DateTimeFormatter SECONDS = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.")
    .withZone(ZoneOffset.UTC);

  private long second = Long.MIN_VALUE;
  private String prefix;

  /** Appends {@code epochMillis} as a JSON string: {@code "2026-11-30T20:08:39.123Z"} with its quotes. */
  StringBuilder appendQuoted(StringBuilder out, long epochMillis) {
    long s = Math.floorDiv(epochMillis, 1000);
    int millis = (int) Math.floorMod(epochMillis, 1000);
    if (s != second) {
      second = s;
      prefix = SECONDS.format(Instant.ofEpochSecond(s));
    }
    return out.append('"').append(prefix)
      .append((char) ('0' + millis / 100)).append((char) ('0' + millis / 10 % 10)).append((char) ('0' + millis % 10))
      .append("Z\"");
  }

  /** {@code epochMillis} as {@code 2026-11-30T20:08:39.123Z}. */
  static String format(long epochMillis) {
    StringBuilder out = new IsoTime().appendQuoted(new StringBuilder(26), epochMillis);
    return out.substring(1, out.length() - 1);
  }
}
