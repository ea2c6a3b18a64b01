package dev.llmrelay.upstream;

import dev.llmrelay.config.ConfigLoader;
import dev.llmrelay.config.UpstreamConfig;
import dev.llmrelay.testing.ClientLoop;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.SelfSignedCertificate;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Which protocol the upstream client speaks for each {@code upstream.http2} setting: over TLS, HTTP/2
 * when the server offers it by ALPN (OpenRouter's case) and HTTP/1.1 when it does not; over
 * cleartext, HTTP/1.1 unless the setting is {@code on} (h2c with prior knowledge).
 */
@ExtendWith(VertxExtension.class)
class UpstreamProtocolTest {

  @Test
  void autoNegotiatesHttp2OverTlsAndFallsBackToHttp11(Vertx vertx) {
    assertEquals(HttpVersion.HTTP_2, versionSeen(vertx, true, List.of(HttpVersion.HTTP_2, HttpVersion.HTTP_1_1), "auto"));
    assertEquals(HttpVersion.HTTP_1_1, versionSeen(vertx, true, List.of(HttpVersion.HTTP_1_1), "auto"));
    assertEquals(HttpVersion.HTTP_1_1, versionSeen(vertx, true, List.of(HttpVersion.HTTP_2, HttpVersion.HTTP_1_1), "off"));
  }

  @Test
  void cleartextIsHttp11UnlessHttp2IsOn(Vertx vertx) {
    assertEquals(HttpVersion.HTTP_1_1, versionSeen(vertx, false, List.of(), "auto"));
    assertEquals(HttpVersion.HTTP_2, versionSeen(vertx, false, List.of(), "on"));
    assertEquals(HttpVersion.HTTP_1_1, versionSeen(vertx, false, List.of(), "off"));
  }

  /** Starts a server (TLS with these ALPN protocols, or cleartext with h2c) and returns what a request used. */
  private static HttpVersion versionSeen(Vertx vertx, boolean tls, List<HttpVersion> alpn, String http2) {
    HttpServerOptions serverOptions = new HttpServerOptions().setHost("127.0.0.1").setPort(0);
    if (tls) {
      SelfSignedCertificate certificate = SelfSignedCertificate.create("localhost");
      serverOptions.setSsl(true).setUseAlpn(true).setAlpnVersions(alpn).setKeyCertOptions(certificate.keyCertOptions());
    }
    HttpServer server = vertx.createHttpServer(serverOptions)
      .requestHandler(req -> req.response().end(req.version().name()))
      .listen().await();
    String url = (tls ? "https" : "http") + "://127.0.0.1:" + server.actualPort() + "/api/v1";
    UpstreamConfig upstream = ConfigLoader.defaults().upstream().withUrl(url, false).withPools(8, 0)
      .withConnectTimeoutMs(5000).withTimeouts(5000, 5000, 5000, 60_000).withHttp2(http2);
    // The relay's own options; only trust is added, for the self-signed certificate.
    HttpClientOptions options = UpstreamClient.clientOptions(upstream).setTrustAll(true).setVerifyHost(false);
    HttpClient client = vertx.createHttpClient(options);
    try {
      String seen = new ClientLoop(vertx).run(() -> client
          .request(new RequestOptions().setMethod(HttpMethod.GET).setAbsoluteURI(url + "/chat/completions"))
          .compose(req -> req.send().compose(resp -> resp.body())))
        .await().toString();
      return HttpVersion.valueOf(seen);
    } finally {
      client.close().await();
      server.close().await();
    }
  }
}
