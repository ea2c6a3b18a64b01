package dev.llmrelay.bus;

import io.vertx.core.Handler;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;

/**
 * Registers the consumers every stream has (its data address on the router, its control address on the
 * provider) without inflating a lock monitor for each. Vert.x registers a consumer while holding the
 * consumer's own lock and, under it, files the registration by its identity hash; on HotSpot 17 the first
 * identity hash of an object whose lock is held turns that lock into a heavyweight monitor (native memory
 * that every message's delivery then locks, until the JVM's deflation pass frees it): two per stream, tens
 * of thousands in a burst. Asked for before the consumer registers, the hash is already in the object's
 * header and the lock stays light.
 */
public final class StreamConsumers {

  private StreamConsumers() {
  }

  /** {@code eventBus.consumer(address, handler)}, without the monitor. */
  public static <T> MessageConsumer<T> consumer(EventBus eventBus, String address, Handler<Message<T>> handler) {
    MessageConsumer<T> consumer = eventBus.consumer(address);
    System.identityHashCode(consumer);
    return consumer.handler(handler);
  }
}
