package dev.llmrelay.upstream;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * How {@link SseReader} follows its reader's demand: one credit per event, as the router grants them. Records
 * beyond the demand are kept and the body paused; a fetch decodes them, then resumes the body.
 */
class SseReaderTest {

  private final ChunkedBody body = new ChunkedBody();
  private final List<String> seen = new ArrayList<>();
  private long credits;
  private SseReader reader;

  private SseReader reader(int maxRecord) {
    SseDecoder decoder = new SseDecoder((type, data) -> {
      seen.add(new String(data, StandardCharsets.UTF_8));
      credits--;
    });
    reader = new SseReader(body, decoder, maxRecord, () -> credits > 0, t -> seen.add("failed: " + t.getMessage()),
      () -> seen.add("end")).start();
    reader.fetch();
    return reader;
  }

  @Test
  void recordsBeyondTheDemandAreKeptAndTheBodyPausedUntilAFetch() {
    credits = 2;
    reader(1 << 20);
    body.send("data: 1\n\ndata: 2\n\ndata: 3\n\ndata: 4\n\ndata: ");
    assertEquals(List.of("1", "2"), seen);
    assertTrue(body.paused());

    credits = 1;
    reader.fetch();
    assertEquals(List.of("1", "2", "3"), seen);
    assertTrue(body.paused(), "out of demand again, with event 4 still kept");

    credits = 5;
    reader.fetch();
    assertEquals(List.of("1", "2", "3", "4"), seen);
    assertFalse(body.paused());
    body.send("5\n\n");
    body.end();
    assertEquals(List.of("1", "2", "3", "4", "5", "end"), seen);
    assertEquals(1, body.pauses, "paused once, and stayed paused while event 4 was kept");
    assertEquals(2, body.resumes, "by the first fetch, and once event 4 was read");
  }

  @Test
  void demandGrantedWhileAnEventIsDecodedLetsTheSameReadGoOn() {
    credits = 1;
    SseDecoder decoder = new SseDecoder((type, data) -> {
      seen.add(new String(data, StandardCharsets.UTF_8));
      credits--;
      // The router on this event loop writes the event and grants a credit back at once.
      credits++;
      reader.fetch();
    });
    reader = new SseReader(body, decoder, 1 << 20, () -> credits > 0, t -> seen.add("failed"), () -> seen.add("end"))
      .start();
    reader.fetch();
    body.send("data: a\n\ndata: b\n\ndata: c\n\n");
    body.end();
    assertEquals(List.of("a", "b", "c", "end"), seen);
    assertEquals(0, body.pauses);
  }

  @Test
  void theEndWaitsForTheKeptRecordsAndTheBytesAfterTheLastLfAreARecord() {
    credits = 1;
    reader(1 << 20);
    body.send("data: 1\n\ndata: 2\n\n");
    body.resume();
    body.end();
    body.pause();
    assertEquals(List.of("1"), seen, "no end before the kept event");

    credits = 5;
    reader.fetch();
    assertEquals(List.of("1", "2", "end"), seen);

    seen.clear();
    ChunkedBody other = new ChunkedBody();
    List<String> lines = new ArrayList<>();
    SseDecoder decoder = new SseDecoder((type, data) -> lines.add(new String(data, StandardCharsets.UTF_8)));
    SseReader last = new SseReader(other, decoder, 1 << 20, () -> true, t -> lines.add("failed"),
      () -> lines.add("end " + decoder.hasPartialEvent())).start();
    last.fetch();
    other.send("data: x\n\ndata: unfinished");
    other.end();
    assertEquals(List.of("x", "end true"), lines, "the unfinished line was decoded, its event left partial");
  }

  @Test
  void aRecordLongerThanTheLimitFailsTheReadOnce() {
    credits = 10;
    reader(16);
    body.send("data: 1\n\ndata: 0123456");
    body.send("789abcdef");
    body.send("more\n\n");
    assertEquals(List.of("1", "failed: a record exceeds 16 bytes"), seen);
  }

  @Test
  void afterTheAnswerTheRestIsDroppedAndTheBodyRunsFree() {
    credits = 1;
    reader(1 << 20);
    body.send("data: 1\n\ndata: 2\n\n");
    assertTrue(body.paused());
    reader.discardRest();
    assertFalse(body.paused());
    credits = 5;
    reader.fetch();
    body.send("data: 3\n\n");
    body.end();
    assertEquals(List.of("1"), seen, "nothing decoded, no end told after the rest was dropped");
  }

  @Test
  void aFailingBodyIsToldOnce() {
    credits = 5;
    reader(1 << 20);
    body.send("data: 1\n\n");
    body.fail(new IllegalStateException("connection reset"));
    body.fail(new IllegalStateException("again"));
    assertEquals(List.of("1", "failed: connection reset"), seen);
  }
}
