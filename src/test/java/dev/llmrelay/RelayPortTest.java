package dev.llmrelay;

import dev.llmrelay.testing.RelayHarness;
import dev.llmrelay.testing.SseClient;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A relay configured with port 0 listens on one port the kernel picks as it binds, shared by all its
 * routers, and reports it ({@link Relay#port}). The start-up warm-up's copies listen that way, so a copy
 * can never take the port the relay itself is about to listen on.
 */
@ExtendWith(VertxExtension.class)
class RelayPortTest {

  @Test
  void portZeroIsOnePortTheKernelPicksSharedByEveryRouter(Vertx vertx) {
    RelayHarness h = RelayHarness.start(vertx, c -> RelayHarness.instances(c, 2, 1));
    try {
      assertEquals(0, h.relay.config().http().port());
      int port = h.relay.port();
      assertTrue(port > 0, "a port was picked: " + port);
      assertEquals(List.of(port, port), h.relay.routerPorts());
      String options = new JsonObject().put("model", "openai/gpt-4o-mini").encode();
      for (int i = 0; i < 4; i++) {
        SseClient.Result result = new SseClient(vertx, port)
          .get(SseClient.query(SseClient.userMessages("hi [sim tokens=3 paceMs=0]"), options)).await();
        assertEquals(200, result.status());
        assertEquals(4, result.events().size(), result.body());
        assertEquals("[DONE]", result.last().json().getString("text"));
      }
      assertEquals(4, h.simulator.stats().requests());
    } finally {
      h.stop();
    }
  }

  @Test
  void anotherRelayOnPortZeroInTheSameVertxGetsAPortOfItsOwn(Vertx vertx) {
    RelayHarness first = RelayHarness.start(vertx, c -> RelayHarness.instances(c, 2, 1));
    RelayHarness second = RelayHarness.start(vertx, c -> RelayHarness.instances(c, 2, 1));
    try {
      int port = first.relay.port();
      int other = second.relay.port();
      assertNotEquals(port, other);
      assertEquals(List.of(port, port), first.relay.routerPorts());
      assertEquals(List.of(other, other), second.relay.routerPorts());
    } finally {
      second.stop();
      first.stop();
    }
  }
}
