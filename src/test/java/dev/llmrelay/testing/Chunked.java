package dev.llmrelay.testing;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** An HTTP/1.1 chunked body as read off a raw socket: its chunks, one per write of the server. */
public final class Chunked {

  private Chunked() {
  }

  /** The chunks of {@code body} (the bytes after the head), up to the last, empty one. */
  public static List<byte[]> chunks(byte[] body) {
    // ISO-8859-1 keeps one char per byte, so its indexes are the byte offsets the chunk sizes count in.
    String framing = new String(body, StandardCharsets.ISO_8859_1);
    List<byte[]> chunks = new ArrayList<>();
    int at = 0;
    while (true) {
      int lineEnd = framing.indexOf("\r\n", at);
      int size = Integer.parseInt(framing.substring(at, lineEnd).trim(), 16);
      if (size == 0) {
        return chunks;
      }
      chunks.add(Arrays.copyOfRange(body, lineEnd + 2, lineEnd + 2 + size));
      at = lineEnd + 2 + size + 2;
    }
  }
}
