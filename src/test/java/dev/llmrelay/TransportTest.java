package dev.llmrelay;

import dev.llmrelay.config.ConfigLoader;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The relay runs on Netty's native epoll transport, and so does every test's Vertx (see pom.xml). */
@ExtendWith(VertxExtension.class)
class TransportTest {

  @Test
  void theRelayAndTheTestsRunOnTheNativeEpollTransport(Vertx tests) {
    // The project ships Netty's epoll library for Linux on x86-64 (CI's machine); elsewhere Vert.x uses NIO.
    assumeTrue(System.getProperty("os.name").startsWith("Linux") && System.getProperty("os.arch").equals("amd64"));
    Vertx relay = Vertx.builder().with(Main.vertxOptions(ConfigLoader.defaults())).build();
    try {
      assertTrue(relay.isNativeTransportEnabled(), String.valueOf(relay.unavailableNativeTransportCause()));
      assertTrue(tests.isNativeTransportEnabled(), String.valueOf(tests.unavailableNativeTransportCause()));
    } finally {
      relay.close().await();
    }
  }
}
