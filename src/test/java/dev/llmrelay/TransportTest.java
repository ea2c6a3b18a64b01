package dev.llmrelay;

import dev.llmrelay.config.ConfigLoader;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** The relay runs on Netty's native epoll transport, and so does every test's Vertx (see pom.xml). */
@ExtendWith(VertxExtension.class)
class TransportTest {

  @Test
  void theRelayAndTheTestsRunOnTheNativeEpollTransport(Vertx tests) {
    Vertx relay = Vertx.builder().with(Main.vertxOptions(ConfigLoader.defaults())).build();
    try {
      assertTrue(relay.isNativeTransportEnabled(), String.valueOf(relay.unavailableNativeTransportCause()));
      assertTrue(tests.isNativeTransportEnabled(), String.valueOf(tests.unavailableNativeTransportCause()));
    } finally {
      relay.close().await();
    }
  }
}
