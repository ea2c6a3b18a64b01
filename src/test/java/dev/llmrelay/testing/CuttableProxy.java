package dev.llmrelay.testing;

import io.vertx.core.Vertx;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TCP hop between a client and the relay, on 127.0.0.1, that a test can cut: every connection through
 * it is dropped at once (both sides closed) while it keeps accepting new ones, as when a phone changes
 * networks or a balancer recycles a connection. Start and use from a test thread.
 */
public final class CuttableProxy implements AutoCloseable {

  private final NetServer server;
  private final NetClient client;
  private final List<NetSocket> open = new CopyOnWriteArrayList<>();
  private volatile int accepted;

  private CuttableProxy(NetServer server, NetClient client) {
    this.server = server;
    this.client = client;
  }

  /** Forwards every connection to 127.0.0.1:{@code targetPort}. */
  public static CuttableProxy start(Vertx vertx, int targetPort) {
    NetClient client = vertx.createNetClient();
    NetServer server = vertx.createNetServer();
    CuttableProxy proxy = new CuttableProxy(server, client);
    server.connectHandler(inbound -> {
      proxy.accepted++;
      inbound.pause();
      client.connect(targetPort, "127.0.0.1").onComplete(ar -> {
        if (ar.failed()) {
          inbound.close();
          return;
        }
        NetSocket outbound = ar.result();
        proxy.open.add(inbound);
        proxy.open.add(outbound);
        inbound.closeHandler(v -> outbound.close());
        outbound.closeHandler(v -> inbound.close());
        inbound.pipeTo(outbound);
        outbound.pipeTo(inbound);
      });
    });
    server.listen(0, "127.0.0.1").await();
    return proxy;
  }

  public int port() {
    return server.actualPort();
  }

  /** Connections accepted so far. */
  public int accepted() {
    return accepted;
  }

  /** Drops every connection now open through the proxy. */
  public void cut() {
    for (NetSocket socket : open) {
      socket.close();
    }
    open.clear();
  }

  @Override
  public void close() {
    cut();
    server.close().await();
    client.close().await();
  }
}
