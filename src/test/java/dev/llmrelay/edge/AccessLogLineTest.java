package dev.llmrelay.edge;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** An access-log line is the JSON object Vert.x would encode from the same members, built without it. */
class AccessLogLineTest {

  @Test
  void membersInOrderWithStringsEscapedAndNullsAsNull() {
    String model = "odd/\"model\"\\ é \u0001\n";
    String line = new AccessLog.Line()
      .put("type", "stream")
      .put("status", 200)
      .put("model", model)
      .put("errorType", (String) null)
      .put("ttftMs", (Long) null)
      .put("durationMs", 1234L)
      .put("costUsd", 0.000017)
      .close();

    assertEquals("{\"type\":\"stream\",\"status\":200,\"model\":\"odd/\\\"model\\\"\\\\ é \\u0001\\n\",\"errorType\":null,"
      + "\"ttftMs\":null,\"durationMs\":1234,\"costUsd\":1.7E-5}", line);
    assertEquals(new JsonObject().put("type", "stream").put("status", 200).put("model", model).putNull("errorType")
      .putNull("ttftMs").put("durationMs", 1234L).put("costUsd", 0.000017).encode(), line);
  }

  @Test
  void anEmptyLineIsAnEmptyObject() {
    assertEquals("{}", new AccessLog.Line().close());
  }
}
