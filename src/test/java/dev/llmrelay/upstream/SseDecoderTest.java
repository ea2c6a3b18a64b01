package dev.llmrelay.upstream;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** WHATWG SSE decoding behind {@link SseLines}, fed in every possible split. */
class SseDecoderTest {

  private static List<String> decode(byte[] wire, int pieceSize) {
    List<String> events = new ArrayList<>();
    SseDecoder decoder = new SseDecoder((type, data) -> events.add(type + "|" + new String(data, StandardCharsets.UTF_8)));
    SseLinesTest.HandFed body = new SseLinesTest.HandFed();
    new SseLines(body, decoder::record, 1 << 20).readAll();
    for (int at = 0; at < wire.length; at += pieceSize) {
      body.send(wire, at, Math.min(at + pieceSize, wire.length));
    }
    body.end();
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
    byte[] tail = "data: tail".getBytes(StandardCharsets.UTF_8);
    decoder.record(tail, 0, tail.length);
    assertEquals(List.of(), events);
    decoder.record(tail, 0, 0);
    assertEquals(List.of("tail"), events);
  }
}
