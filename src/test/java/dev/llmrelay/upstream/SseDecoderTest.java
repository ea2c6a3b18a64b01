package dev.llmrelay.upstream;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.parsetools.RecordParser;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** WHATWG SSE decoding behind {@code RecordParser.newDelimited("\n")}, fed in every possible split. */
class SseDecoderTest {

  private static List<String> decode(byte[] wire, int pieceSize) {
    List<String> events = new ArrayList<>();
    SseDecoder decoder = new SseDecoder((type, data) -> events.add(type + "|" + new String(data, StandardCharsets.UTF_8)));
    RecordParser parser = RecordParser.newDelimited("\n", decoder::record);
    for (int at = 0; at < wire.length; at += pieceSize) {
      parser.handle(Buffer.buffer().appendBytes(wire, at, Math.min(pieceSize, wire.length - at)));
    }
    return events;
  }

  private static List<String> decodeAllSplits(String wire) {
    byte[] bytes = wire.getBytes(StandardCharsets.UTF_8);
    List<String> expected = decode(bytes, bytes.length);
    for (int piece = 1; piece < bytes.length; piece++) {
      assertEquals(expected, decode(bytes, piece), "pieces of " + piece + " bytes");
    }
    return expected;
  }

  @Test
  void lfCrlfAndLoneCrEndLinesAlike() {
    assertEquals(List.of("message|a", "message|b", "message|c"),
      decodeAllSplits("data: a\n\ndata: b\r\n\r\ndata: c\r\rdata: ignored-without-blank-line\n"));
  }

  @Test
  void commentsIncludingOpenRouterKeepAlivesAreIgnored() {
    List<String> events = decodeAllSplits(": OPENROUTER PROCESSING\n\n: OPENROUTER PROCESSING\n\ndata: {\"x\":1}\n\n");
    assertEquals(List.of("message|{\"x\":1}"), events);
  }

  @Test
  void exactlyOneSpaceAfterTheColonIsRemoved() {
    assertEquals(List.of("message|x", "message|x", "message| x", "message|"),
      decodeAllSplits("data:x\n\ndata: x\n\ndata:  x\n\ndata\n\n"));
  }

  @Test
  void multiLineDataJoinsWithLfAndEventTypeIsKept() {
    assertEquals(List.of("update|line one\nline two", "message|after"),
      decodeAllSplits("event: update\ndata: line one\ndata: line two\n\ndata: after\n\n"));
  }

  @Test
  void eventsWithoutDataAreNotDispatchedAndUnknownFieldsIgnored() {
    assertEquals(List.of("message|kept"),
      decodeAllSplits("event: ping\nid: 3\nretry: 10\n\nfoo: bar\ndata: kept\n\n"));
  }

  @Test
  void leadingBomIsStrippedOnceAndMultibyteCharactersSurviveEverySplit() {
    assertEquals(List.of("message|héllo 日本語 🙂", "message|\uFEFFsecond"),
      decodeAllSplits("\uFEFFdata: héllo 日本語 🙂\r\n\r\ndata: \uFEFFsecond\n\n"));
  }

  @Test
  void lastLineWithoutNewlineIsStillALineAtEndOfStream() {
    List<String> events = new ArrayList<>();
    SseDecoder decoder = new SseDecoder((type, data) -> events.add(new String(data, StandardCharsets.UTF_8)));
    decoder.record(Buffer.buffer("data: tail"));
    assertEquals(List.of(), events);
    decoder.record(Buffer.buffer(""));
    assertEquals(List.of("tail"), events);
  }
}
