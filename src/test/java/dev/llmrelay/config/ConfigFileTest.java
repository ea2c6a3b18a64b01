package dev.llmrelay.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A {@code -conf} file lies over the shipped configuration: what it leaves out keeps its default. */
class ConfigFileTest {

  @Test
  void aFileWithAFewSettingsKeepsEveryOtherDefault(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("mine.json");
    Files.writeString(file, "{\"http\": {\"port\": 9999}, \"upstream\": {\"maxStreams\": 500},"
      + " \"breaker\": {\"minimumCalls\": 7}}");
    RelayConfig mine = ConfigLoader.load(new String[] {"-conf", file.toString()}, Map.of());
    RelayConfig shipped = ConfigLoader.defaults();
    assertEquals(9999, mine.http().port());
    assertEquals(500, mine.upstream().maxStreams());
    assertEquals(7, mine.breaker().minimumCalls());
    assertEquals(shipped.breaker().failureRatePercent(), mine.breaker().failureRatePercent());
    assertEquals(shipped.stream().drainMs(), mine.stream().drainMs());
    assertEquals(shipped.http().maxBodyBytes(), mine.http().maxBodyBytes());
    assertEquals(shipped.security().limits(), mine.security().limits());
  }

  @Test
  void anUnknownSettingIsRefusedWithItsName(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("old.json");
    Files.writeString(file, "{\"breaker\": {\"maxFailures\": 5}}");
    UncheckedIOException e = assertThrows(UncheckedIOException.class,
      () -> ConfigLoader.load(new String[] {"-conf", file.toString()}, Map.of()));
    assertTrue(e.getMessage().contains("maxFailures"), e.getMessage());
  }
}
