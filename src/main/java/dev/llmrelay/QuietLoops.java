package dev.llmrelay;

import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.EventExecutor;
import io.vertx.core.Vertx;
import io.vertx.core.internal.VertxInternal;

import java.util.concurrent.TimeUnit;

/**
 * Keeps Vert.x's acceptor event loop asleep while nothing happens. A Netty event loop with no scheduled
 * task wakes every second anyway (its wait is capped at one second when nothing is on its calendar); the
 * acceptor only takes new connections and has nothing scheduled, so an idle relay woke once a second for
 * nothing. With a no-op an hour out on its calendar it sleeps until a connection or a task arrives:
 * both wake it at once, as before. The relay's own event loops keep a timer of their own (the upstream
 * pool's cleaner, every 15 s), so they are left as they are.
 */
final class QuietLoops {

  /** How far out the no-op is, in hours: its only purpose is to be later than anything real. */
  static final long NO_OP_PERIOD_HOURS = 1;

  private QuietLoops() {
  }

  /** Puts the no-op on each acceptor loop of {@code vertx}; it ends with the loop, when Vert.x closes. */
  static void quietAcceptor(Vertx vertx) {
    EventLoopGroup acceptor = ((VertxInternal) vertx).acceptorEventLoopGroup();
    for (EventExecutor loop : acceptor) {
      loop.scheduleAtFixedRate(() -> { }, NO_OP_PERIOD_HOURS, NO_OP_PERIOD_HOURS, TimeUnit.HOURS);
    }
  }
}
