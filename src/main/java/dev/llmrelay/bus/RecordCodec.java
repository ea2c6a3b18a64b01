package dev.llmrelay.bus;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.MessageCodec;

import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Event-bus codec for the immutable protocol records. Locally the record itself is delivered (no
 * copy); across a cluster it travels as length-prefixed JSON.
 */
public final class RecordCodec<T extends Record> implements MessageCodec<T, T> {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final Class<T> type;

  private RecordCodec(Class<T> type) {
    this.type = type;
  }

  /** Registers the protocol's codecs on this Vert.x instance; safe to call more than once. */
  public static void registerAll(Vertx vertx) {
    register(vertx, StreamChunk.class);
    register(vertx, OpenRequest.class);
    register(vertx, StreamControl.class);
  }

  private static <R extends Record> void register(Vertx vertx, Class<R> type) {
    try {
      vertx.eventBus().registerDefaultCodec(type, new RecordCodec<>(type));
    } catch (IllegalStateException alreadyRegistered) {
      // another deployment on this Vert.x registered it first
    }
  }

  @Override
  public void encodeToWire(Buffer buffer, T value) {
    try {
      byte[] bytes = JSON.writeValueAsBytes(value);
      buffer.appendInt(bytes.length).appendBytes(bytes);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public T decodeFromWire(int pos, Buffer buffer) {
    int length = buffer.getInt(pos);
    try {
      return JSON.readValue(buffer.getBytes(pos + 4, pos + 4 + length), type);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public T transform(T value) {
    return value;
  }

  @Override
  public String name() {
    return "relay." + type.getSimpleName();
  }

  @Override
  public byte systemCodecID() {
    return -1;
  }
}
