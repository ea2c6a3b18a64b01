package dev.llmrelay.testing;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientResponse;

import java.util.function.Supplier;

/**
 * A client that stops reading: it pauses its response after every chunk, so the relay sees a consumer
 * that fell behind and backpressure has to reach the upstream; later it reads the rest to the end.
 * Everything runs on one {@link ClientLoop}.
 */
public final class StallingReader {

  private final ClientLoop loop;
  private final Buffer received = Buffer.buffer();
  private final Promise<Void> ended = Promise.promise();
  private HttpClientResponse response;

  private StallingReader(ClientLoop loop) {
    this.loop = loop;
  }

  /** Sends the request {@code send} makes (on the reader's loop) and starts reading it that way. */
  public static StallingReader start(Vertx vertx, Supplier<Future<HttpClientResponse>> send) {
    StallingReader reader = new StallingReader(new ClientLoop(vertx));
    reader.loop.run(() -> send.get().onSuccess(reader::stallAfterEachChunk).onFailure(reader.ended::tryFail));
    return reader;
  }

  /** Reads everything that is left; completes with every byte of the response once it has ended. */
  public Future<Buffer> readRest() {
    loop.run(() -> {
      response.handler(received::appendBuffer);
      response.resume();
      return Future.succeededFuture();
    });
    return ended.future().map(v -> received);
  }

  private void stallAfterEachChunk(HttpClientResponse resp) {
    response = resp;
    resp.handler(chunk -> {
      received.appendBuffer(chunk);
      resp.pause();
    });
    resp.exceptionHandler(ended::tryFail);
    resp.endHandler(v -> ended.tryComplete());
  }
}
