package dev.llmrelay.simulator;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * One simulated streaming answer in OpenRouter's wire format: a role-only first chunk, one chunk per
 * token, a finish chunk, a usage chunk with empty {@code choices}, then {@code data: [DONE]}, with
 * the scenario's faults and framing (split writes, CRLF, keep-alive comments) on the way. Its fields
 * are readable from test threads.
 */
public final class SimStream {

  private static final String[] WORDS = {"The ", "quick ", "brown ", "fox ", "jumps ", "over ", "the ", "lazy ",
    "dog. ", "Streams ", "carry ", "tokens ", "one ", "by ", "one, ", "in ", "order. "};
  private static final String[] MULTIBYTE = {"héllo ", "wörld ", "日本語 ", "🙂 ", "naïve ", "Ωmega ", "café ",
    "€ ", "𝄞 ", "ß "};
  private static final String TOKEN_MARK = "@@sim-token@@";

  private final Vertx vertx;
  private final HttpServerResponse response;
  private final Scenario scenario;
  private final SimulatorStats stats;
  private final String id = "gen-" + System.currentTimeMillis() / 1000 + "-"
    + Long.toHexString(ThreadLocalRandom.current().nextLong());
  private final long created = System.currentTimeMillis() / 1000;
  private final String newline;
  private final StringBuffer text = new StringBuffer();
  private final String[] answer;
  private volatile int written;
  private volatile boolean aborted;
  private volatile boolean finished;
  private long timer = -1;
  private String contentPrefix;
  private String contentSuffix;

  SimStream(Vertx vertx, HttpServerResponse response, Scenario scenario, SimulatorStats stats) {
    this.vertx = vertx;
    this.response = response;
    this.scenario = scenario;
    this.stats = stats;
    this.newline = scenario.crlf() ? "\r\n" : "\n";
    this.answer = scenario.responseSchema() != null ? JsonAnswer.tokens(scenario) : null;
  }

  /** The scenario's name ({@code normal}, {@code midstream-error}, ...). */
  public String scenario() {
    return scenario.name();
  }

  /** The text of every content token written so far. */
  public String text() {
    return text.toString();
  }

  /** Content tokens (tool-call deltas in the {@code tools} scenario) written so far. */
  public int written() {
    return written;
  }

  /** Whether the reader closed the connection before this stream had finished. */
  public boolean aborted() {
    return aborted;
  }

  public boolean finished() {
    return finished;
  }

  void start() {
    response.closeHandler(v -> onClosed());
    response.setChunked(true)
      .putHeader("Content-Type", "text/event-stream")
      .putHeader("Cache-Control", "no-cache")
      .putHeader("X-Generation-Id", id);
    response.writeHead();
    stats.started(this);
    for (int i = 0; i < scenario.keepalives(); i++) {
      write(": OPENROUTER PROCESSING" + newline + newline);
    }
    write(event(chunk(new JsonObject().put("role", "assistant").put("content", ""), null)));
    switch (scenario.name()) {
      case "hang-first-token" -> keepAliveForever();
      case "flood" -> flood(0);
      case "tools" -> {
        List<JsonObject> deltas = ToolCalls.deltas(scenario.tools(), id);
        later(scenario.ttftMs(), () -> toolStep(deltas, 0));
      }
      default -> later(scenario.ttftMs(), () -> step(0));
    }
  }

  private void step(int i) {
    if (finished) {
      return;
    }
    int total = answer != null ? answer.length : scenario.tokens();
    String name = scenario.name();
    if (i == scenario.errorAt() && i < total) {
      switch (name) {
        case "midstream-error", "midstream-error-done" -> {
          JsonObject error = new JsonObject().put("code", 429).put("message", "Rate limit exceeded")
            .put("metadata", new JsonObject().put("error_type", "rate_limit_exceeded"));
          JsonObject chunk = chunk(new JsonObject().put("content", ""), "error").put("error", error);
          if (name.endsWith("-done")) {
            end(event(chunk), event("[DONE]"));
          } else {
            end(event(chunk));
          }
          return;
        }
        case "midstream-error-empty" -> {
          JsonObject error = new JsonObject().put("code", "server_error").put("message", "Internal provider error");
          end(event(new JsonObject().put("choices", new JsonArray()).put("error", error).encode()));
          return;
        }
        case "malformed" -> {
          end("data: {\"id\":\"" + id + "\",\"choices\":[{\"delta\":{\"content\":\"oops" + newline + newline);
          return;
        }
        case "stall" -> {
          return;
        }
        case "truncated" -> {
          end();
          return;
        }
        case "reset" -> {
          response.reset();
          finished = true;
          return;
        }
        default -> {
        }
      }
    }
    if (i >= total) {
      finish("stop");
      return;
    }
    String token = answer != null ? answer[i] : token(i);
    writeToken(token);
    if ("keepalive".equals(name) && i % 5 == 4) {
      write(": OPENROUTER PROCESSING" + newline + newline);
    }
    later(scenario.paceMs(), () -> step(i + 1));
  }

  private void flood(int from) {
    int i = from;
    int batchEnd = from + 64;
    while (i < scenario.tokens() && i < batchEnd) {
      if (response.writeQueueFull()) {
        stats.countWriteQueueFull();
        int resumeAt = i;
        response.drainHandler(v -> flood(resumeAt));
        return;
      }
      writeToken(token(i++));
    }
    if (finished) {
      return;
    }
    if (i >= scenario.tokens()) {
      finish("stop");
    } else {
      int next = i;
      vertx.runOnContext(v -> flood(next));
    }
  }

  private void writeToken(String token) {
    if (finished) {
      return;
    }
    write(event(contentChunk(token)));
    text.append(token);
    written++;
  }

  /** Streams one tool-call delta per step; the answer has no content, and ends with {@code tool_calls}. */
  private void toolStep(List<JsonObject> deltas, int i) {
    if (finished) {
      return;
    }
    if (i >= deltas.size()) {
      finish("tool_calls");
      return;
    }
    write(event(chunk(deltas.get(i), null)));
    written++;
    later(scenario.paceMs(), () -> toolStep(deltas, i + 1));
  }

  private void finish(String finishReason) {
    JsonObject usage = new JsonObject().put("prompt_tokens", 17).put("completion_tokens", written)
      .put("total_tokens", 17 + written);
    if (!"none".equals(scenario.cost())) {
      try {
        usage.put("cost", Double.parseDouble(scenario.cost()));
      } catch (NumberFormatException e) {
        usage.put("cost", 0.0);
      }
    }
    String finishChunk = event(chunk(new JsonObject(), finishReason));
    String usageChunk = event(new JsonObject().put("id", id).put("provider", "Simulator").put("model", scenario.model())
      .put("object", "chat.completion.chunk").put("created", created).put("choices", new JsonArray())
      .put("usage", usage).encode());
    if ("no-done".equals(scenario.name())) {
      end(finishChunk, usageChunk);
    } else {
      end(finishChunk, usageChunk, event("[DONE]"));
    }
  }

  private void keepAliveForever() {
    if (finished) {
      return;
    }
    write(": OPENROUTER PROCESSING" + newline + newline);
    later(500, this::keepAliveForever);
  }

  /**
   * The JSON of a content chunk, byte for byte what {@link #chunk} encodes, from this stream's cached
   * prefix and suffix: one string per token instead of three JSON objects, so that the simulator's own
   * cost stays small next to what the benchmark measures.
   */
  private String contentChunk(String token) {
    if (contentPrefix == null) {
      String template = chunk(new JsonObject().put("content", TOKEN_MARK), null).encode();
      int at = template.indexOf('"' + TOKEN_MARK + '"');
      contentPrefix = template.substring(0, at);
      contentSuffix = template.substring(at + TOKEN_MARK.length() + 2);
    }
    return contentPrefix + Json.encode(token) + contentSuffix;
  }

  private JsonObject chunk(JsonObject delta, String finishReason) {
    JsonObject choice = new JsonObject().put("index", 0).put("delta", delta).put("finish_reason", finishReason)
      .put("native_finish_reason", finishReason).put("logprobs", null);
    return new JsonObject().put("id", id).put("provider", "Simulator").put("model", scenario.model())
      .put("object", "chat.completion.chunk").put("created", created).put("choices", new JsonArray().add(choice))
      .put("system_fingerprint", null);
  }

  private String event(JsonObject json) {
    return event(json.encode());
  }

  private String event(String data) {
    return "data: " + data + newline + newline;
  }

  private void write(String frame) {
    if (finished) {
      return;
    }
    if (scenario.split() <= 0) {
      response.write(frame);
      return;
    }
    byte[] bytes = frame.getBytes(StandardCharsets.UTF_8);
    for (int at = 0; at < bytes.length; at += scenario.split()) {
      response.write(Buffer.buffer().appendBytes(bytes, at, Math.min(scenario.split(), bytes.length - at)));
    }
  }

  /**
   * Writes the stream's last frames and ends it. It is counted as completed first: a client can act on
   * those frames (the relay ends its own stream at the first of them it takes as the end) while this
   * thread has not run on, and whoever then reads the stats must find the stream counted.
   */
  private void end(String... lastFrames) {
    if (!finished) {
      stats.countCompleted();
      for (String frame : lastFrames) {
        write(frame);
      }
      finished = true;
      response.end();
    }
  }

  private void later(long delayMs, Runnable action) {
    if (delayMs <= 0) {
      vertx.runOnContext(v -> action.run());
    } else {
      timer = vertx.setTimer(delayMs, id -> action.run());
    }
  }

  private void onClosed() {
    if (!finished) {
      finished = true;
      aborted = true;
      if (timer >= 0) {
        vertx.cancelTimer(timer);
      }
      stats.countAborted();
    }
  }

  /** The deterministic answer token number {@code i}. */
  String token(int i) {
    return scenario.multibyte() ? MULTIBYTE[i % MULTIBYTE.length] : WORDS[i % WORDS.length];
  }

  /** The whole text of a {@code normal} answer of {@code tokens} tokens, as a reader should receive it. */
  static String normalAnswer(int tokens) {
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < tokens; i++) {
      text.append(WORDS[i % WORDS.length]);
    }
    return text.toString();
  }
}
