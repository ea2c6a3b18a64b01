package dev.llmrelay;

import dev.llmrelay.config.ConfigLoader;
import io.netty.util.concurrent.EventExecutor;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.internal.VertxInternal;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The acceptor loop sleeps while nothing happens once {@link QuietLoops} has put its no-op on it, and
 * still takes connections at once. Its wake-ups are read from the kernel: how many times its thread was put
 * on a CPU ({@code /proc/.../schedstat}, third field).
 */
class QuietLoopsTest {

  /** Long enough for an unquieted acceptor, which wakes every second, to wake at least twice. */
  private static final long WINDOW_MS = 2_500;

  @Test
  void theAcceptorWakesEverySecondUntilQuietedThenOnlyForConnections() throws Exception {
    assumeTrue(Files.isDirectory(Path.of("/proc/thread-self")), "needs Linux's /proc");
    Vertx vertx = Vertx.builder().with(Main.vertxOptions(ConfigLoader.defaults())).build();
    try {
      HttpServer server = vertx.createHttpServer().requestHandler(r -> r.response().end("accepted"))
        .listen(0, "127.0.0.1").await();
      // The acceptor thread, as the kernel names it: the loop reads its own /proc/thread-self.
      EventExecutor loop = ((VertxInternal) vertx).acceptorEventLoopGroup().next();
      Path acceptor = loop.submit(() -> Path.of("/proc").resolve(Files.readSymbolicLink(Path.of("/proc/thread-self"))))
        .get(5, TimeUnit.SECONDS);

      long unquieted = wakeUpsOver(acceptor, WINDOW_MS);
      assertTrue(unquieted >= 2, "an idle acceptor woke " + unquieted + " times in " + WINDOW_MS + " ms");

      QuietLoops.quietAcceptor(vertx);
      // The loop runs its tasks in order: once this one ran, the no-op is on its calendar.
      loop.submit(() -> { }).get(5, TimeUnit.SECONDS);
      awaitAsleep(acceptor);
      assertEquals(0, wakeUpsOver(acceptor, WINDOW_MS), "wake-ups of the quieted acceptor");

      HttpClientAgent client = vertx.createHttpClient();
      String body = client.request(HttpMethod.GET, server.actualPort(), "127.0.0.1", "/")
        .compose(req -> req.send()).compose(res -> res.body()).await(5, TimeUnit.SECONDS).toString();
      assertEquals("accepted", body);
      client.close().await();
    } finally {
      vertx.close().await();
    }
  }

  /** Until the thread waits again (state {@code S}), after the task that woke it. */
  private static void awaitAsleep(Path thread) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (!state(thread).equals("S")) {
      assertTrue(System.nanoTime() < deadline, "the acceptor thread is still " + state(thread) + " after 5 s");
      Thread.sleep(1);
    }
  }

  /** The third field of the thread's {@code stat}, after its name in parentheses. */
  private static String state(Path thread) throws IOException {
    String stat = Files.readString(thread.resolve("stat"));
    return stat.substring(stat.lastIndexOf(')') + 2).split(" ")[0];
  }

  private static long wakeUpsOver(Path thread, long millis) throws IOException, InterruptedException {
    long before = timesRun(thread);
    Thread.sleep(millis);
    return timesRun(thread) - before;
  }

  private static long timesRun(Path thread) throws IOException {
    return Long.parseLong(Files.readString(thread.resolve("schedstat")).trim().split(" ")[2]);
  }
}
