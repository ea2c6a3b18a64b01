package dev.llmrelay.catalog;

import dev.llmrelay.config.UpstreamConfig;
import dev.llmrelay.upstream.UpstreamClient;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.internal.logging.Logger;
import io.vertx.core.internal.logging.LoggerFactory;

import java.util.List;

/**
 * Keeps the {@link ModelCatalog} live: fetches the upstream's {@code GET /models} (with the relay's
 * API key and attribution headers) right after start, without holding start-up back, and again every
 * {@code refreshMs}. A failed fetch keeps the last good catalog and is logged. One instance per process.
 */
public final class CatalogVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(CatalogVerticle.class);
  /** OpenRouter's full list, descriptions included, is a few MB; far more is not a model list. */
  static final int MAX_BODY_BYTES = 32 * 1024 * 1024;

  private final ModelCatalog catalog;
  private final UpstreamConfig upstream;
  private final long refreshMs;
  private final String url;
  private HttpClient http;
  private long timer = -1;
  private boolean fetching;
  private boolean failing;

  public CatalogVerticle(ModelCatalog catalog, UpstreamConfig upstream, long refreshMs) {
    this.catalog = catalog;
    this.upstream = upstream;
    this.refreshMs = refreshMs;
    String base = upstream.url();
    this.url = (base.endsWith("/") ? base.substring(0, base.length() - 1) : base) + "/models";
  }

  @Override
  public Future<?> start() {
    // The catalog is one large JSON document: worth asking for compressed.
    http = vertx.createHttpClient(UpstreamClient.clientOptions(upstream).setDecompressionSupported(true),
      new PoolOptions().setHttp1MaxSize(1).setHttp2MaxSize(1).setCleanerPeriod(UpstreamClient.POOL_CLEANER_MS));
    fetch();
    timer = vertx.setPeriodic(refreshMs, id -> fetch());
    return Future.succeededFuture();
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(timer);
    return http.close();
  }

  private void fetch() {
    if (fetching) {
      return; // a slow upstream: the next period asks again
    }
    fetching = true;
    RequestOptions options = new RequestOptions()
      .setMethod(HttpMethod.GET)
      .setAbsoluteURI(url)
      .setHeaders(UpstreamClient.accountHeaders(upstream).add(HttpHeaders.ACCEPT, "application/json"))
      .setConnectTimeout(upstream.connectTimeoutMs())
      .setIdleTimeout(upstream.firstByteTimeoutMs());
    http.request(options)
      .compose(request -> request.send())
      .compose(this::body)
      .compose(body -> vertx.executeBlocking(() -> OpenRouterModels.parse(body.toString())))
      .onComplete(ar -> {
        fetching = false;
        if (ar.succeeded()) {
          loaded(ar.result());
        } else {
          failed(ar.cause().getMessage());
        }
      });
  }

  private void loaded(List<JsonObject> entries) {
    if (entries.isEmpty()) {
      failed("the upstream listed no models");
      return;
    }
    boolean first = !catalog.snapshot().live();
    catalog.update(entries, System.currentTimeMillis());
    if (first || failing) {
      LOG.info("Model catalog: " + catalog.models().size() + " models from " + url
        + (first ? "" : ", after failed refreshes"));
    }
    failing = false;
  }

  private void failed(String reason) {
    catalog.failed(reason);
    ModelCatalog.Snapshot kept = catalog.snapshot();
    LOG.warn("Model catalog: GET " + url + " failed (" + reason + "); still serving "
      + (kept.live() ? "the upstream's list of " + kept.updatedAt() : "the fallback from the models file")
      + ", " + kept.models().size() + " models; next try in " + refreshMs + " ms");
    failing = true;
  }

  /** The body of a 200 answer; any other status fails, once its (bounded) body is read, so the connection stays. */
  private Future<Buffer> body(HttpClientResponse response) {
    int status = response.statusCode();
    return status == 200 ? read(response) : read(response).transform(ar -> Future.failedFuture("HTTP " + status));
  }

  private static Future<Buffer> read(HttpClientResponse response) {
    Promise<Buffer> done = Promise.promise();
    Buffer body = Buffer.buffer();
    response.handler(chunk -> {
      if (body.length() + chunk.length() > MAX_BODY_BYTES) {
        response.request().reset();
        done.tryFail("the answer is larger than " + MAX_BODY_BYTES + " bytes");
      } else {
        body.appendBuffer(chunk);
      }
    });
    response.exceptionHandler(e -> done.tryFail(e));
    response.endHandler(v -> done.tryComplete(body));
    return done.future();
  }
}
