package dev.llmrelay.upstream;

import io.vertx.core.buffer.Buffer;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;

/**
 * Decodes Server-Sent Events by the WHATWG rules, fed one record at a time: the bytes up to (not
 * including) an LF, as {@code RecordParser.newDelimited("\n")} produces them. Because records are
 * split on the LF byte, which never occurs inside a multi-byte UTF-8 sequence, characters split
 * across network reads arrive whole. A CR before the LF (CRLF) is dropped; a lone CR inside a record
 * ends a line too. A leading BOM is stripped once; comment lines are counted and ignored; exactly
 * one space after the colon is removed; several {@code data:} lines join with LF; an event without
 * data is not dispatched.
 */
public final class SseDecoder {

  /** Receives each dispatched event's data (UTF-8 bytes). */
  @FunctionalInterface
  public interface Listener {
    void onEvent(String eventType, byte[] data);
  }

  private static final byte[] DATA = "data".getBytes();
  private static final byte[] EVENT = "event".getBytes();

  private final Listener listener;
  private ByteArrayOutputStream data;
  private byte[] singleData;
  private String eventType;
  private boolean started;
  private long comments;

  public SseDecoder(Listener listener) {
    this.listener = listener;
  }

  /** Feeds one record; returns how many events it dispatched. */
  public int record(Buffer record) {
    byte[] bytes = record.getBytes();
    int from = 0;
    if (!started) {
      started = true;
      if (bytes.length >= 3 && (bytes[0] & 0xFF) == 0xEF && (bytes[1] & 0xFF) == 0xBB && (bytes[2] & 0xFF) == 0xBF) {
        from = 3;
      }
    }
    int end = bytes.length;
    if (end > from && bytes[end - 1] == '\r') {
      end--;
    }
    int dispatched = 0;
    int lineStart = from;
    for (int i = from; i < end; i++) {
      if (bytes[i] == '\r') {
        dispatched += line(bytes, lineStart, i);
        lineStart = i + 1;
      }
    }
    return dispatched + line(bytes, lineStart, end);
  }

  /** How many comment lines (such as {@code : OPENROUTER PROCESSING}) were seen. */
  public long comments() {
    return comments;
  }

  /** Whether a partial event (data lines without the blank line) is pending. */
  public boolean hasPartialEvent() {
    return singleData != null || data != null;
  }

  private int line(byte[] b, int start, int end) {
    if (start == end) {
      return dispatch();
    }
    if (b[start] == ':') {
      comments++;
      return 0;
    }
    int colon = start;
    while (colon < end && b[colon] != ':') {
      colon++;
    }
    int valueStart = colon < end ? colon + 1 : end;
    if (valueStart < end && b[valueStart] == ' ') {
      valueStart++;
    }
    if (fieldIs(b, start, colon, DATA)) {
      appendData(Arrays.copyOfRange(b, valueStart, end));
    } else if (fieldIs(b, start, colon, EVENT)) {
      eventType = new String(b, valueStart, end - valueStart, java.nio.charset.StandardCharsets.UTF_8);
    }
    // id, retry and unknown fields do not change what the relay forwards
    return 0;
  }

  private void appendData(byte[] value) {
    if (singleData == null && data == null) {
      singleData = value;
      return;
    }
    if (data == null) {
      data = new ByteArrayOutputStream();
      data.writeBytes(singleData);
      singleData = null;
    }
    data.write('\n');
    data.writeBytes(value);
  }

  private int dispatch() {
    byte[] value = singleData != null ? singleData : data != null ? data.toByteArray() : null;
    String type = eventType == null ? "message" : eventType;
    singleData = null;
    data = null;
    eventType = null;
    if (value == null) {
      return 0;
    }
    listener.onEvent(type, value);
    return 1;
  }

  private static boolean fieldIs(byte[] b, int start, int end, byte[] name) {
    if (end - start != name.length) {
      return false;
    }
    for (int i = 0; i < name.length; i++) {
      if (b[start + i] != name[i]) {
        return false;
      }
    }
    return true;
  }
}
