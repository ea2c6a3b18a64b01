package dev.llmrelay.api;

import dev.llmrelay.bus.Addresses;
import dev.llmrelay.bus.OpenRequest;
import dev.llmrelay.bus.StreamControl;
import dev.llmrelay.config.StreamConfig;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;

import java.util.function.Consumer;

/**
 * The resume handshake of a client stream over the bus: a router asks the provider of a resumable stream,
 * wherever in the cluster it runs, to continue it on a new {@link BusStream}'s data address, and tells the
 * client why when it cannot.
 */
final class BusResume {

  /** Why a resume was refused: {@code 404} no such stream, {@code 403} another client's, {@code 410} no longer kept,
   * {@code 416} an event never sent, {@code 204} nothing left to send. */
  interface Refusal {
    void refused(int code, String message);
  }

  private BusResume() {
  }

  /**
   * Continues resumable stream {@code publicId} into {@code sink}, from the event after {@code lastSeq}:
   * wherever in the cluster its provider runs, it sends what the client missed, then the live tail.
   * {@code refused} is told instead when the stream cannot be resumed; nothing is written to the sink then.
   */
  static BusStream resume(Vertx vertx, StreamConfig config, String publicId, long lastSeq, String owner,
                          StreamSink sink, Refusal refused, Consumer<BusStream> onFinished) {
    BusStream stream = BusStream.resuming(vertx, config, new OpenRequest.Resume(publicId, owner, 0, 0), sink,
      onFinished);
    EventBus eventBus = vertx.eventBus();
    String dataId = stream.listen();
    StreamControl ask = StreamControl.resume(dataId, lastSeq, config.creditWindow(), owner);
    stream.listening()
      .compose(v -> eventBus.request(Addresses.control(publicId), ask,
        new DeliveryOptions().setSendTimeout(config.watchdogMs())))
      .onComplete(ar -> {
        if (stream.isEnded()) {
          return;
        }
        if (ar.succeeded() && "resumed".equals(ar.result().body())) {
          stream.resumed();
          return;
        }
        stream.finish();
        if (ar.succeeded()) {
          refused.refused(204, "the client has every event of this stream");
        } else if (ar.cause() instanceof ReplyException re && re.failureType() == ReplyFailure.RECIPIENT_FAILURE) {
          refused.refused(re.failureCode(), re.getMessage());
        } else {
          refused.refused(404, "no live stream has this id");
        }
      });
    return stream;
  }
}
