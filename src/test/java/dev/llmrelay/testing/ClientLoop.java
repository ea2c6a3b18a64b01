package dev.llmrelay.testing;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;

import java.util.function.Supplier;

/**
 * The one event-loop context a test client runs its HTTP exchanges on.
 *
 * <p>Vert.x 5.0.10's HTTP client can drop a response's end when {@code body()} or the end handler is attached
 * on another thread than the one the response arrives on (eclipse-vertx/vert.x#6038, fixed in 5.0.11). A
 * request started from the JUnit thread gets a fresh context on some event loop each time, so about one
 * exchange in a few hundred to a few thousand then never completes and the test hangs. Exchanges started
 * here begin, complete and are read on one event loop, where that cannot happen.
 */
public final class ClientLoop {

  private final Context context;

  public ClientLoop(Vertx vertx) {
    Context current = Vertx.currentContext();
    this.context = current != null && current.isEventLoopContext() ? current : vertx.getOrCreateContext();
  }

  /** Runs {@code exchange} on this loop; its result may be awaited from any thread. */
  public <T> Future<T> run(Supplier<Future<T>> exchange) {
    if (Vertx.currentContext() == context) {
      return exchange.get();
    }
    Promise<T> result = Promise.promise();
    context.runOnContext(v -> {
      try {
        exchange.get().onComplete(result);
      } catch (RuntimeException e) {
        result.fail(e);
      }
    });
    return result.future();
  }

  public Context context() {
    return context;
  }
}
