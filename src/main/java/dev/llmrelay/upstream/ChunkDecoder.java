package dev.llmrelay.upstream;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.llmrelay.error.ErrorMapper;
import dev.llmrelay.error.ErrorType;
import dev.llmrelay.error.RelayError;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * Decodes the data of one upstream SSE event with Jackson's streaming parser, reading only the fields
 * the relay uses and skipping the rest without building a tree. {@code [DONE]} is recognised with
 * surrounding white space tolerated. Malformed JSON becomes an {@code upstream_protocol} error chunk.
 */
final class ChunkDecoder {

  private static final ObjectMapper JSON = new ObjectMapper();

  private ChunkDecoder() {
  }

  static Chunk decode(byte[] data) {
    if (isDone(data)) {
      return Chunk.DONE;
    }
    try (JsonParser p = JSON.getFactory().createParser(data)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        return malformed("an event's data is not a JSON object");
      }
      String content = null;
      String finishReason = null;
      String model = null;
      String usage = null;
      RelayError error = null;
      boolean otherDelta = false;
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String field = p.currentName();
        JsonToken value = p.nextToken();
        switch (field) {
          case "model" -> model = value == JsonToken.VALUE_STRING ? p.getText() : null;
          case "usage" -> usage = value == JsonToken.START_OBJECT ? objectText(p, data) : null;
          case "error" -> {
            if (value != JsonToken.VALUE_NULL) {
              JsonNode node = p.readValueAsTree();
              error = node.isObject() ? ErrorMapper.fromChunkError(node)
                : ErrorMapper.fromUpstream(502, null, node.asText(), -1);
            }
          }
          case "choices" -> {
            if (value == JsonToken.START_ARRAY) {
              String[] firstChoice = readFirstChoice(p);
              content = firstChoice[0];
              finishReason = firstChoice[1];
              otherDelta = firstChoice[2] != null;
            } else {
              p.skipChildren();
            }
          }
          default -> p.skipChildren();
        }
      }
      if (p.currentToken() != JsonToken.END_OBJECT || p.nextToken() != null) {
        return malformed("trailing data after a chunk");
      }
      return new Chunk(content, finishReason, model, usage, error, false, otherDelta);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      return malformed("malformed JSON in a streamed chunk: " + e.getOriginalMessage());
    } catch (IOException e) {
      return malformed("unreadable chunk: " + e.getMessage());
    }
  }

  /**
   * The object the parser is at, as the upstream wrote it (its numbers unchanged), reading past its end. An
   * object spread over several {@code data:} lines comes back on one line, so it can go into an event of the
   * relay's own.
   */
  private static String objectText(JsonParser p, byte[] data) throws IOException {
    int start = (int) p.currentTokenLocation().getByteOffset();
    p.skipChildren();
    int end = (int) p.currentTokenLocation().getByteOffset() + 1;
    for (int i = start; i < end; i++) {
      if (data[i] == '\n' || data[i] == '\r') {
        return JSON.readTree(data, start, end - start).toString();
      }
    }
    return new String(data, start, end - start, StandardCharsets.UTF_8);
  }

  /**
   * Reads the choices array, returning {content, finish_reason, other} of the choice with index 0, where
   * other is non-null when its delta held a non-empty value besides content and role, or when another
   * choice ({@code n} > 1) brought content or such a value: that chunk is answer material too.
   */
  private static String[] readFirstChoice(JsonParser p) throws IOException {
    String[] result = new String[3];
    boolean first = true;
    while (p.nextToken() == JsonToken.START_OBJECT) {
      String content = null;
      String finish = null;
      String other = null;
      int index = 0;
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String field = p.currentName();
        JsonToken value = p.nextToken();
        switch (field) {
          case "index" -> index = value == JsonToken.VALUE_NUMBER_INT ? p.getIntValue() : 0;
          case "finish_reason" -> finish = value == JsonToken.VALUE_STRING ? p.getText() : null;
          case "delta", "message" -> {
            if (value == JsonToken.START_OBJECT) {
              while (p.nextToken() == JsonToken.FIELD_NAME) {
                String deltaField = p.currentName();
                JsonToken deltaValue = p.nextToken();
                if ("content".equals(deltaField) && deltaValue == JsonToken.VALUE_STRING) {
                  content = p.getText();
                } else if (!"role".equals(deltaField) && !"content".equals(deltaField)
                  && hasSubstance(p, deltaValue)) {
                  other = deltaField;
                } else {
                  p.skipChildren();
                }
              }
            } else {
              p.skipChildren();
            }
          }
          default -> p.skipChildren();
        }
      }
      if (index == 0 && first) {
        result[0] = content;
        result[1] = finish;
        result[2] = result[2] != null ? result[2] : other;
        first = false;
      } else if (result[2] == null && (other != null || content != null && !content.isEmpty())) {
        result[2] = "choices";
      }
    }
    return result;
  }

  /**
   * Whether the current value is more than an empty placeholder (null, "", [] or {}), which some
   * providers repeat on every chunk. Consumes the value.
   */
  private static boolean hasSubstance(JsonParser p, JsonToken value) throws IOException {
    return switch (value) {
      case VALUE_NULL -> false;
      case VALUE_STRING -> p.getTextLength() > 0;
      case START_ARRAY, START_OBJECT -> !p.<JsonNode>readValueAsTree().isEmpty();
      default -> true;
    };
  }

  private static boolean isDone(byte[] data) {
    int start = 0;
    int end = data.length;
    while (start < end && Character.isWhitespace(data[start])) {
      start++;
    }
    while (end > start && Character.isWhitespace(data[end - 1])) {
      end--;
    }
    return end - start == 6 && data[start] == '[' && data[start + 1] == 'D' && data[start + 2] == 'O'
      && data[start + 3] == 'N' && data[start + 4] == 'E' && data[start + 5] == ']';
  }

  private static Chunk malformed(String why) {
    return new Chunk(null, null, null, null, RelayError.of(ErrorType.UPSTREAM_PROTOCOL, "Malformed upstream stream: " + why),
      false, false);
  }
}
