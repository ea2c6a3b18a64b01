package dev.llmrelay.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Traces are off unless the file or OpenTelemetry's standard variables turn them on. */
class TracingConfigTest {

  @Test
  void offByDefault() {
    TracingConfig tracing = ConfigLoader.load(new String[0], Map.of()).tracing();
    assertFalse(tracing.enabled());
    assertEquals("http://localhost:4318/v1/traces", tracing.tracesUrl());
    assertEquals("llm-relay", tracing.serviceName());
  }

  @Test
  void theFileTurnsThemOnAndKeepsTheOtherDefaults(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("traced.json");
    Files.writeString(file, "{\"tracing\": {\"enabled\": true, \"endpoint\": \"http://collector:4318/\"}}");
    TracingConfig tracing = ConfigLoader.load(new String[] {"-conf", file.toString()}, Map.of()).tracing();
    assertTrue(tracing.enabled());
    assertEquals("http://collector:4318/v1/traces", tracing.tracesUrl());
    assertEquals("llm-relay", tracing.serviceName());
    assertEquals(1.0, tracing.sampleRatio());
  }

  @Test
  void theStandardVariablesTurnThemOnNameTheServiceOrTurnThemOff() {
    TracingConfig on = ConfigLoader.load(new String[0], Map.of("OTEL_EXPORTER_OTLP_ENDPOINT",
      "http://otel:4318", "OTEL_SERVICE_NAME", "relay-eu")).tracing();
    assertTrue(on.enabled());
    assertEquals("http://otel:4318/v1/traces", on.tracesUrl());
    assertEquals("relay-eu", on.serviceName());
    TracingConfig off = ConfigLoader.load(new String[0], Map.of("OTEL_EXPORTER_OTLP_ENDPOINT",
      "http://otel:4318", "OTEL_SDK_DISABLED", "true")).tracing();
    assertFalse(off.enabled());
  }

  @Test
  void aSampleRatioOutsideZeroToOneIsRefused(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("bad.json");
    Files.writeString(file, "{\"tracing\": {\"sampleRatio\": 2}}");
    Exception e = assertThrows(RuntimeException.class,
      () -> ConfigLoader.load(new String[] {"-conf", file.toString()}, Map.of()));
    assertTrue(e.getMessage().contains("sampleRatio"), e.getMessage());
  }
}
