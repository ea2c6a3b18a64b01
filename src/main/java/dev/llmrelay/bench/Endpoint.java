package dev.llmrelay.bench;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/**
 * One way to ask for a streamed answer and read it back: how the request looks and how an event's
 * data becomes text. Measuring another endpoint is one more constant here.
 */
enum Endpoint {

  /** The simulator itself, OpenRouter's wire format: the baseline every relay path is compared with. */
  DIRECT("direct", HttpMethod.POST, "/api/v1/chat/completions", "content") {
    @Override
    String uri(String prompt) {
      return path;
    }

    @Override
    String body(String prompt) {
      return openAiBody(prompt).encode();
    }
  },

  /** The relay's EventSource contract, {@code GET /api/v1/llm/complete/stream}. */
  EVENT_SOURCE("eventsource", HttpMethod.GET, "/api/v1/llm/complete/stream", "text") {
    @Override
    String uri(String prompt) {
      String messages = new JsonArray().add(new JsonObject().put("role", "user").put("content", prompt)).encode();
      return path + "?messages=" + URLEncoder.encode(messages, StandardCharsets.UTF_8);
    }

    @Override
    String body(String prompt) {
      return null;
    }
  },

  /** The relay's OpenAI-compatible {@code POST /v1/chat/completions} with {@code stream: true}. */
  OPENAI("openai", HttpMethod.POST, "/v1/chat/completions", "content") {
    @Override
    String uri(String prompt) {
      return path;
    }

    @Override
    String body(String prompt) {
      return openAiBody(prompt).encode();
    }
  };

  /** What one event meant to the reader. */
  enum Kind { TEXT, DONE, ERROR, OTHER }

  /** A decoded event: its kind and, for {@link Kind#TEXT}, the text. */
  record Event(Kind kind, String text) {
    static final Event DONE = new Event(Kind.DONE, null);
    static final Event OTHER = new Event(Kind.OTHER, null);
  }

  private static final JsonFactory JSON = new JsonFactory();

  final String label;
  final HttpMethod method;
  final String path;
  private final String textField;

  Endpoint(String label, HttpMethod method, String path, String textField) {
    this.label = label;
    this.method = method;
    this.path = path;
    this.textField = textField;
  }

  abstract String uri(String prompt);

  /** The request body, or null for a GET. */
  abstract String body(String prompt);

  RequestOptions request(String host, int port, String prompt) {
    RequestOptions options = new RequestOptions().setMethod(method).setHost(host).setPort(port).setURI(uri(prompt));
    if (method == HttpMethod.POST) {
      options.putHeader(HttpHeaders.CONTENT_TYPE, "application/json");
    }
    return options;
  }

  /**
   * Reads one event. The relay's EventSource contract ends with a {@code [DONE]} text from provider
   * {@code system} and fails with {@code event: error}; the OpenAI format ends with {@code data: [DONE]}
   * and fails with a top-level {@code error}. Text is the first {@code text}/{@code content} string.
   */
  Event decode(String type, byte[] data) {
    if ("error".equals(type)) {
      return new Event(Kind.ERROR, new String(data, StandardCharsets.UTF_8));
    }
    if (data.length == 6 && data[0] == '[' && new String(data, StandardCharsets.UTF_8).equals("[DONE]")) {
      return Event.DONE;
    }
    try (JsonParser p = JSON.createParser(data)) {
      String text = null;
      boolean system = false;
      JsonToken token;
      while ((token = p.nextToken()) != null) {
        if (token != JsonToken.FIELD_NAME) {
          continue;
        }
        String field = p.currentName();
        boolean topLevel = p.getParsingContext().getParent().inRoot();
        JsonToken value = p.nextToken();
        if (field.equals("error") && topLevel && value != JsonToken.VALUE_NULL) {
          return new Event(Kind.ERROR, new String(data, StandardCharsets.UTF_8));
        } else if (text == null && field.equals(textField) && value == JsonToken.VALUE_STRING) {
          text = p.getText();
        } else if (field.equals("provider") && value == JsonToken.VALUE_STRING && "system".equals(p.getText())) {
          system = true;
        }
      }
      if (system && "[DONE]".equals(text)) {
        return Event.DONE;
      }
      return text == null || text.isEmpty() ? Event.OTHER : new Event(Kind.TEXT, text);
    } catch (IOException e) {
      return new Event(Kind.ERROR, "unreadable event: " + e.getMessage());
    }
  }

  private static JsonObject openAiBody(String prompt) {
    return new JsonObject()
      .put("model", "openai/gpt-4o-mini")
      .put("stream", true)
      .put("messages", new JsonArray().add(new JsonObject().put("role", "user").put("content", prompt)));
  }
}
