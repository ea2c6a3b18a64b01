package dev.llmrelay.testing;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Cluster members' Hazelcast ports come from below the kernel's ephemeral range. */
class ClusterHarnessTest {

  private static final Path RANGE = Path.of("/proc/sys/net/ipv4/ip_local_port_range");

  @Test
  void theEphemeralRangeIsReadWholeAndMemberPortsLieBelowIt() throws IOException, InterruptedException {
    assumeTrue(Files.exists(RANGE), "Linux only");
    Process cat = new ProcessBuilder("cat", RANGE.toString()).start();
    String text = new String(cat.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
    assertEquals(0, cat.waitFor());
    int low = Integer.parseInt(text.split("\\s+")[0]);

    assertEquals(low, ClusterHarness.ephemeralLow());
    assumeTrue(low > 21_000, "the range starts too low to pick below it");
    for (int i = 0; i < 20; i++) {
      int port = ClusterHarness.memberPort();
      assertTrue(port >= 20_000 && port < low, "port " + port + ", ephemeral range from " + low);
    }
  }
}
