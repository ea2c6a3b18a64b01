package dev.llmrelay.edge;

import dev.llmrelay.config.RelayConfig;
import dev.llmrelay.config.SecurityConfig;
import dev.llmrelay.testing.ClientLoop;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;

import java.util.List;
import java.util.Map;

/** A plain HTTP client for edge tests: any method, headers and raw body bytes; collects status, headers and body. */
final class EdgeClient {

  /** What came back. */
  record Response(int status, MultiMap headers, String body) {
    JsonObject json() {
      return new JsonObject(body);
    }
  }

  private final HttpClientAgent http;
  private final ClientLoop loop;
  private final int port;

  EdgeClient(Vertx vertx, int port) {
    this(vertx, port, 8);
  }

  EdgeClient(Vertx vertx, int port, int connections) {
    this.http = vertx.createHttpClient(new HttpClientOptions().setMaxInitialLineLength(1 << 20).setKeepAlive(true),
      new PoolOptions().setHttp1MaxSize(connections));
    this.loop = new ClientLoop(vertx);
    this.port = port;
  }

  Future<Response> send(HttpMethod method, String uri, Map<String, String> headers, Buffer body) {
    RequestOptions options = new RequestOptions().setMethod(method).setHost("127.0.0.1").setPort(port).setURI(uri)
      // A request the relay never answers fails the test with its case instead of hanging it.
      .setIdleTimeout(30_000);
    headers.forEach(options::putHeader);
    return loop.run(() -> http.request(options)
      .compose(req -> body == null ? req.send() : req.send(body))
      .compose(resp -> resp.body().map(b -> new Response(resp.statusCode(), resp.headers(), b.toString()))));
  }

  Future<Response> get(String uri, Map<String, String> headers) {
    return send(HttpMethod.GET, uri, headers, null);
  }

  Future<Response> post(String uri, Map<String, String> headers, String body) {
    return send(HttpMethod.POST, uri, headers, Buffer.buffer(body));
  }

  Future<Void> close() {
    return http.close();
  }

  static Map<String, String> bearer(String key) {
    return Map.of("Authorization", "Bearer " + key, "Content-Type", "application/json");
  }

  /** {@code config} with one client key (given in plain text, stored as its digest) and these limits. */
  static RelayConfig withKey(RelayConfig config, String id, String key, SecurityConfig.Limits limits) {
    SecurityConfig.ClientKey clientKey = new SecurityConfig.ClientKey(id, ClientKeys.sha256Hex(key), limits);
    return config.withSecurity(config.security().withClientKeys(List.of(clientKey)));
  }
}
