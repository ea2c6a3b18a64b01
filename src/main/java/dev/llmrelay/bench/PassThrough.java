package dev.llmrelay.bench;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;

/**
 * The benchmark's floor: a process that only copies bytes between a client and the simulator, on the
 * relay's core, started the way a relay is. Whatever it adds to time to first token is the cost of one
 * more process on the path on this machine (two more hops across cores, two more wake-ups), which no
 * proxy can go below; the relay's own cost is what it adds beyond this.
 * {@code java -cp target/llm-relay.jar dev.llmrelay.bench.PassThrough LISTEN_PORT TARGET_PORT} (127.0.0.1).
 */
public final class PassThrough {

  private PassThrough() {
  }

  public static void main(String[] args) {
    if (args.length != 2) {
      System.err.println("usage: PassThrough LISTEN_PORT TARGET_PORT");
      System.exit(2);
    }
    // The relays' transport (Netty's native epoll): the floor is what a byte pipe on it costs.
    Vertx vertx = Vertx.vertx(new VertxOptions().setPreferNativeTransport(true));
    start(vertx, Integer.parseInt(args[0]), Integer.parseInt(args[1]))
      .onSuccess(server -> System.out.println("pass-through 127.0.0.1:" + server.actualPort() + " -> " + args[1]))
      .onFailure(e -> {
        System.err.println("cannot listen: " + e.getMessage());
        System.exit(1);
      });
  }

  /** Listens on 127.0.0.1:{@code listen} (0 for any free port) and pipes each connection to {@code target}. */
  static Future<NetServer> start(Vertx vertx, int listen, int target) {
    NetClient client = vertx.createNetClient(new NetClientOptions().setTcpNoDelay(true));
    return vertx.createNetServer(new NetServerOptions().setTcpNoDelay(true).setHost("127.0.0.1").setPort(listen))
      .connectHandler(downstream -> connect(client, downstream, target))
      .listen();
  }

  /** Pipes {@code downstream} to a new connection to 127.0.0.1:{@code target}, both ways, till either closes. */
  static void connect(NetClient client, NetSocket downstream, int target) {
    downstream.pause();
    client.connect(target, "127.0.0.1").onComplete(connected -> {
      if (connected.failed()) {
        downstream.close();
        return;
      }
      NetSocket upstream = connected.result();
      downstream.pipeTo(upstream);
      upstream.pipeTo(downstream);
      downstream.closeHandler(v -> upstream.close());
      upstream.closeHandler(v -> downstream.close());
    });
  }
}
