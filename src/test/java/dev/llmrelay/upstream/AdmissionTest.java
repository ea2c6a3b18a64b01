package dev.llmrelay.upstream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The admission limit a process sizes for itself when none is configured. */
class AdmissionTest {

  private static final long GB = 1L << 30;
  private static final long LINUX_DEFAULT_PORTS = 60_999 - 32_768 + 1;

  @Test
  void overHttp1EachStreamTakesTwoFilesAndTheFilesAreTheLimit() {
    assertEquals(9_500, Admission.defaultLimit(20_000, 4 * GB, LINUX_DEFAULT_PORTS, true, false));
  }

  @Test
  void overHttp2EachStreamTakesOneFile() {
    assertEquals(19_000, Admission.defaultLimit(20_000, 4 * GB, LINUX_DEFAULT_PORTS, true, true));
  }

  @Test
  void aSmallHeapBoundsItAt64KbPerStream() {
    assertEquals(4_096, Admission.defaultLimit(20_000, GB / 4, LINUX_DEFAULT_PORTS, true, true));
  }

  @Test
  void overHttp1WithFilesToSpareTheLocalPortsAreTheLimit() {
    // 1,000,000 files would allow 499,500 streams, but each holds a connection to the one upstream address.
    assertEquals(28_232, Admission.defaultLimit(1_000_000, 64 * GB, LINUX_DEFAULT_PORTS, true, false));
    assertEquals(28_232, Admission.defaultLimit(1_000_000, 64 * GB, LINUX_DEFAULT_PORTS, false, false));
  }

  @Test
  void overHttp2TheLocalPortsDoNotCount() {
    assertEquals(999_000, Admission.defaultLimit(1_000_000, 64 * GB, LINUX_DEFAULT_PORTS, true, true));
  }

  @Test
  void unknownLocalPortsBoundNothing() {
    assertEquals(499_500, Admission.defaultLimit(1_000_000, 64 * GB, -1, true, false));
  }

  @Test
  void theLocalPortsAreReadFromTheKernelsRange(@TempDir Path dir) throws IOException {
    Path range = dir.resolve("ip_local_port_range");
    Files.writeString(range, "32768\t60999\n");
    assertEquals(28_232, Admission.localPorts(range));
    Files.writeString(range, "1024 65535\n");
    assertEquals(64_512, Admission.localPorts(range));
    Files.writeString(range, "garbage\n");
    assertEquals(-1, Admission.localPorts(range));
    assertEquals(-1, Admission.localPorts(dir.resolve("missing")));
  }

  @Test
  void thisMachinesRangeIsReadWhole() throws IOException, InterruptedException {
    // The sysctl file reports size 0: read as a regular file, only its first byte arrives ("3").
    Path range = Path.of("/proc/sys/net/ipv4/ip_local_port_range");
    assumeTrue(Files.exists(range), "Linux only");
    Process cat = new ProcessBuilder("cat", range.toString()).start();
    String[] bounds = new String(cat.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim().split("\\s+");
    assertEquals(0, cat.waitFor());
    assertEquals(Long.parseLong(bounds[1]) - Long.parseLong(bounds[0]) + 1, Admission.localPorts());
  }
}
