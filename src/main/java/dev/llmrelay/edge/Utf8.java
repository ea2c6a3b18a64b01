package dev.llmrelay.edge;

import io.vertx.core.buffer.Buffer;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Strict UTF-8 checks. Vert.x and Jackson quietly turn invalid bytes into U+FFFD, which would let a
 * broken request through with altered text; the relay refuses it instead. The JDK's decoder rejects
 * overlong forms, surrogates and code points past U+10FFFF.
 */
final class Utf8 {

  private Utf8() {
  }

  static boolean valid(Buffer bytes) {
    return valid(ByteBuffer.wrap(bytes.getBytes()));
  }

  /**
   * Why a raw query string is not percent-encoded UTF-8, or null when it is. Raw bytes above 0x7F
   * arrive as the characters U+0080..U+00FF (the request line is read as ISO-8859-1), so they are
   * checked as the bytes they were.
   */
  static String queryProblem(String rawQuery) {
    ByteBuffer bytes = ByteBuffer.allocate(rawQuery.length());
    for (int i = 0; i < rawQuery.length(); i++) {
      char c = rawQuery.charAt(i);
      if (c == '%') {
        if (i + 2 >= rawQuery.length() || hex(rawQuery.charAt(i + 1)) < 0 || hex(rawQuery.charAt(i + 2)) < 0) {
          return "malformed percent-encoding in the query string";
        }
        bytes.put((byte) (hex(rawQuery.charAt(i + 1)) * 16 + hex(rawQuery.charAt(i + 2))));
        i += 2;
      } else if (c > 0xFF) {
        return "the query string is not UTF-8";
      } else {
        bytes.put((byte) c);
      }
    }
    bytes.flip();
    return valid(bytes) ? null : "the query string is not valid UTF-8";
  }

  private static boolean valid(ByteBuffer bytes) {
    try {
      StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT)
        .decode(bytes);
      return true;
    } catch (CharacterCodingException e) {
      return false;
    }
  }

  private static int hex(char c) {
    if (c >= '0' && c <= '9') {
      return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
      return c - 'a' + 10;
    }
    return c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
  }
}
