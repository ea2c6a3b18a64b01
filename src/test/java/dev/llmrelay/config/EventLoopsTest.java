package dev.llmrelay.config;

import dev.llmrelay.Main;
import io.netty.channel.EventLoopGroup;
import io.vertx.core.Vertx;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.StreamSupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Router and provider instances default to one per CPU core, and a process runs one event loop per instance. */
class EventLoopsTest {

  private static final int CORES = Runtime.getRuntime().availableProcessors();

  @Test
  void theShippedConfigRunsOneRouterAndOneProviderPerCoreOnOneLoopPerCore() throws IOException {
    JsonObject file = new JsonObject(Files.readString(Path.of(ConfigLoader.DEFAULT_FILE)));
    assertEquals(0, file.getJsonObject("http").getInteger("instances"));
    assertEquals(0, file.getJsonObject("upstream").getInteger("instances"));
    RelayConfig shipped = ConfigLoader.load(new String[0], Map.of());

    assertEquals(CORES, shipped.http().instances());
    assertEquals(CORES, shipped.upstream().instances());
    assertEquals(CORES, shipped.eventLoops());
    assertEquals(CORES, Main.vertxOptions(shipped).getEventLoopPoolSize());
  }

  @Test
  void theLoopsFollowTheInstancesOfTheVerticlesTheNodeRuns() {
    RelayConfig c = ConfigLoader.load(new String[0], Map.of());
    c = c.withHttp(c.http().withInstances(3)).withUpstream(c.upstream().withInstances(5));

    assertEquals(5, c.eventLoops());
    DeploymentConfig d = c.deployment();
    assertEquals(3, c.withDeployment(new DeploymentConfig("cluster", "edge", d.cluster())).eventLoops());
    assertEquals(5, c.withDeployment(new DeploymentConfig("cluster", "provider", d.cluster())).eventLoops());
  }

  @Test
  void zeroInstancesMeansOnePerCore() {
    RelayConfig c = ConfigLoader.load(new String[0], Map.of());

    assertEquals(CORES, c.http().withInstances(7).withInstances(0).instances());
    assertEquals(CORES, c.upstream().withInstances(7).withInstances(0).instances());
  }

  @Test
  void aNegativeInstanceCountIsRefusedWithItsSetting() {
    RelayConfig c = ConfigLoader.load(new String[0], Map.of());

    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> c.http().withInstances(-1));
    assertEquals("http.instances must be 0 (one per CPU core) or more, not -1", e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> c.upstream().withInstances(-2));
    assertEquals("upstream.instances must be 0 (one per CPU core) or more, not -2", e.getMessage());
  }

  @Test
  void vertxBuiltWithTheOptionsHasExactlyThoseLoops() {
    RelayConfig c = ConfigLoader.load(new String[0], Map.of());
    c = c.withHttp(c.http().withInstances(3)).withUpstream(c.upstream().withInstances(3));
    Vertx vertx = Vertx.vertx(Main.vertxOptions(c).setMetricsOptions(null));
    try {
      EventLoopGroup loops = ((VertxInternal) vertx).nettyEventLoopGroup();
      assertEquals(3, StreamSupport.stream(loops.spliterator(), false).count());
    } finally {
      vertx.close().await();
    }
  }
}
