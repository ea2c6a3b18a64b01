package dev.llmrelay.upstream;

import dev.llmrelay.bus.StreamChunk;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * What a resumable stream keeps for a client that comes back: its events (deltas and the final end or
 * error) in order, bounded in bytes. Past the bound the oldest go; a resume from before them cannot
 * be served whole, and says so instead of serving a gap.
 */
final class ReplayLog {

  /** What one kept chunk is counted as, besides its text: ids, model, framing. */
  private static final int CHUNK_OVERHEAD = 64;

  private final long maxBytes;
  private final ArrayDeque<StreamChunk> chunks = new ArrayDeque<>();
  private long bytes;
  /** The seq of the newest chunk dropped for the bound, or 0. */
  private long droppedThrough;
  private long lastSeq;

  ReplayLog(long maxBytes) {
    this.maxBytes = maxBytes;
  }

  void add(StreamChunk chunk) {
    chunks.addLast(chunk);
    lastSeq = chunk.seq();
    bytes += size(chunk);
    while (bytes > maxBytes && chunks.size() > 1) {
      StreamChunk dropped = chunks.removeFirst();
      bytes -= size(dropped);
      droppedThrough = dropped.seq();
    }
  }

  /** The seq of the newest event kept (0 before the first). */
  long lastSeq() {
    return lastSeq;
  }

  /** Whether the events after {@code seq} are all still here. */
  boolean covers(long seq) {
    return seq >= droppedThrough;
  }

  /** The events after {@code seq}, in order. */
  List<StreamChunk> after(long seq) {
    List<StreamChunk> out = new ArrayList<>();
    for (StreamChunk chunk : chunks) {
      if (chunk.seq() > seq) {
        out.add(chunk);
      }
    }
    return out;
  }

  long bytes() {
    return bytes;
  }

  private static long size(StreamChunk chunk) {
    long size = CHUNK_OVERHEAD;
    if (chunk.text() != null) {
      size += chunk.text().length() * 2L;
    }
    if (chunk.raw() != null) {
      size += chunk.raw().length() * 2L;
    }
    return size;
  }
}
