package dev.llmrelay.bench;

import dev.llmrelay.upstream.SseDecoder;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientConnection;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpConnectOptions;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.parsetools.RecordParser;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The load side: keeps {@code concurrency} streams open against one target (closed loop: a finished
 * stream starts the next), times each stream's first token from the moment its request was made, and
 * checks every answer's full text and its clean end. HTTP/1.1 keep-alive from client to target, as
 * browsers and SDKs do; or, for a burst of new clients ({@link #newClients}), a connection of each
 * stream's own.
 */
final class LoadGenerator {

  /**
   * What one run measured. {@code ttftNanos} holds the successful streams' times to first token, and
   * {@code sentNanos} when each of them was sent, from the run's start.
   */
  record Result(String target, int streams, int concurrency, long[] ttftNanos, long[] sentNanos, int errors,
                List<String> errorSamples, long elapsedNanos) {

    int ok() {
      return ttftNanos.length;
    }

    /**
     * The median time to first token of the streams sent in each {@code bucketMs} of the run, in
     * milliseconds ({@code -1} for a bucket in which none was sent): whether a queue built up, and when.
     */
    long[] ttftP50ByStartMs(long bucketMs) {
      long bucketNanos = bucketMs * 1_000_000;
      int buckets = 0;
      for (long sent : sentNanos) {
        buckets = Math.max(buckets, (int) (sent / bucketNanos) + 1);
      }
      List<List<Long>> byBucket = new ArrayList<>();
      for (int i = 0; i < buckets; i++) {
        byBucket.add(new ArrayList<>());
      }
      for (int i = 0; i < ttftNanos.length; i++) {
        byBucket.get((int) (sentNanos[i] / bucketNanos)).add(ttftNanos[i]);
      }
      long[] p50 = new long[buckets];
      for (int i = 0; i < buckets; i++) {
        List<Long> ttfts = byBucket.get(i);
        ttfts.sort(null);
        p50[i] = ttfts.isEmpty() ? -1 : ttfts.get(ttfts.size() / 2) / 1_000_000;
      }
      return p50;
    }
  }

  private final Vertx vertx;
  private final String target;
  private final String host;
  private final int port;
  private final Endpoint endpoint;
  private final int maxConnections;
  private HttpClientAgent http;
  /** New clients' connections, a client per local address they come from; none for the keep-alive pool. */
  private final List<HttpClientAgent> bySource;
  private int nextSource;

  /** Streams on keep-alive connections, at most {@code maxConnections} of them. */
  LoadGenerator(Vertx vertx, String target, String host, int port, Endpoint endpoint, int maxConnections) {
    this(vertx, target, host, port, endpoint, maxConnections, List.of());
  }

  private LoadGenerator(Vertx vertx, String target, String host, int port, Endpoint endpoint, int maxConnections,
                        List<String> sources) {
    this.vertx = vertx;
    this.target = target;
    this.host = host;
    this.port = port;
    this.endpoint = endpoint;
    this.maxConnections = maxConnections;
    this.http = newClient(null);
    this.bySource = sources.stream().map(this::newClient).toList();
  }

  /**
   * Every stream from a new client: it opens a connection of its own and closes it at its end. Not
   * through the client's pool, which looks through all its connections for a free one on every request
   * (Vert.x's pool): with thousands open and none free, that alone took the load side's core, so a burst
   * measured the load side and not the target. The connections come from {@code sources} in turn (local
   * addresses), as new clients come from many addresses: from one, each connect() searches the ephemeral
   * ports for one not yet used towards the target, and with thousands in use that search was a sixth of
   * the load side's client work.
   */
  static LoadGenerator newClients(Vertx vertx, String target, String host, int port, Endpoint endpoint,
                                  List<String> sources) {
    return new LoadGenerator(vertx, target, host, port, endpoint, 1, sources);
  }

  private HttpClientAgent newClient(String source) {
    return vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true).setConnectTimeout(30_000)
        .setLocalAddress(source),
      new PoolOptions().setHttp1MaxSize(maxConnections).setMaxWaitQueueSize(-1));
  }

  /**
   * Runs {@code streams} streams of {@code prompt}, {@code concurrency} at a time, the first
   * {@code concurrency} spread evenly over {@code rampMs} so that arrivals do not come in waves.
   */
  Running run(int streams, int concurrency, String prompt, String expectedText, long rampMs) {
    Running running = new Running(streams, concurrency, prompt, expectedText);
    Context context = vertx.getOrCreateContext();
    context.runOnContext(v -> running.start(rampMs));
    return running;
  }

  Future<Void> close() {
    List<Future<Void>> closed = new ArrayList<>();
    closed.add(http.close());
    bySource.forEach(client -> closed.add(client.close()));
    return Future.all(closed).mapEmpty();
  }

  /**
   * Closes every connection to the target and starts afresh, between runs: the next run opens new
   * connections. Otherwise connections left idle by a run at higher concurrency would be closed by the
   * keep-alive timeout in the middle of a later run, work for the target that the later run would measure.
   */
  Future<Void> reconnect() {
    HttpClientAgent old = http;
    http = newClient(null);
    return old.close();
  }

  /** One run in progress; its counters can be read from any thread. */
  final class Running {

    private final int streams;
    private final int concurrency;
    private final String prompt;
    private final String expectedText;
    private final Promise<Result> result = Promise.promise();
    private final long[] ttft;
    private final long[] sent;
    private final List<String> errorSamples = new ArrayList<>();
    private final AtomicInteger open = new AtomicInteger();
    private final AtomicInteger receiving = new AtomicInteger();
    private final AtomicInteger finished = new AtomicInteger();
    private int started;
    private int ok;
    private int errors;
    private long startedAt;

    private Running(int streams, int concurrency, String prompt, String expectedText) {
      this.streams = streams;
      this.concurrency = concurrency;
      this.prompt = prompt;
      this.expectedText = expectedText;
      this.ttft = new long[streams];
      this.sent = new long[streams];
    }

    Future<Result> result() {
      return result.future();
    }

    /** Streams that have started and not finished. */
    int open() {
      return open.get();
    }

    /** Open streams that have received their first token. */
    int receiving() {
      return receiving.get();
    }

    int finished() {
      return finished.get();
    }

    private void start(long rampMs) {
      startedAt = System.nanoTime();
      if (streams == 0) {
        result.complete(new Result(target, 0, concurrency, new long[0], new long[0], 0, List.of(), 0));
        return;
      }
      int first = Math.min(concurrency, streams);
      for (int i = 0; i < first; i++) {
        long delay = rampMs * i / first;
        if (delay < 1) {
          launch();
        } else {
          vertx.setTimer(delay, id -> launch());
        }
      }
    }

    private void launch() {
      if (started < streams) {
        started++;
        open.incrementAndGet();
        new OneStream(this).go();
      }
    }

    private void done(OneStream stream, String error) {
      open.decrementAndGet();
      if (stream.ttft >= 0) {
        receiving.decrementAndGet();
      }
      if (error == null) {
        sent[ok] = stream.startedAt - startedAt;
        ttft[ok++] = stream.ttft;
      } else {
        errors++;
        if (errorSamples.size() < 5) {
          errorSamples.add(error);
        }
      }
      if (finished.incrementAndGet() == streams) {
        result.complete(new Result(target, streams, concurrency, Arrays.copyOf(ttft, ok), Arrays.copyOf(sent, ok),
          errors, List.copyOf(errorSamples), System.nanoTime() - startedAt));
      } else {
        launch();
      }
    }
  }

  /** One stream: request, first-token time, text and end check. */
  private final class OneStream {

    private final Running run;
    private final StringBuilder text = new StringBuilder();
    private long startedAt;
    private long ttft = -1;
    private boolean sawDone;
    private String failure;
    private boolean ended;
    /** The stream's own connection, when it has one. */
    private HttpClientConnection connection;

    OneStream(Running run) {
      this.run = run;
    }

    void go() {
      RequestOptions options = endpoint.request(host, port, run.prompt);
      String body = endpoint.body(run.prompt);
      startedAt = System.nanoTime();
      request(options)
        .compose(req -> body == null ? req.send() : req.send(Buffer.buffer(body)))
        .onComplete(ar -> {
          if (ar.failed()) {
            end("request failed: " + ar.cause());
          } else {
            read(ar.result());
          }
        });
    }

    private Future<HttpClientRequest> request(RequestOptions options) {
      if (bySource.isEmpty()) {
        return http.request(options);
      }
      HttpClientAgent client = bySource.get(nextSource++ % bySource.size());
      return client.connect(new HttpConnectOptions().setHost(host).setPort(port)).compose(connection -> {
        this.connection = connection;
        return connection.request(options);
      });
    }

    private void read(HttpClientResponse response) {
      if (response.statusCode() != 200) {
        response.body().onComplete(b -> end("status " + response.statusCode() + ": "
          + (b.succeeded() ? b.result().toString() : b.cause())));
        return;
      }
      SseDecoder decoder = new SseDecoder(this::onEvent);
      RecordParser parser = RecordParser.newDelimited("\n", response);
      parser.exceptionHandler(t -> end("read failed: " + t));
      parser.endHandler(v -> {
        if (failure != null) {
          end(failure);
        } else if (!sawDone) {
          end("the stream ended without its final event");
        } else if (!text.toString().equals(run.expectedText)) {
          end("wrong text: " + text);
        } else {
          end(null);
        }
      });
      parser.handler(decoder::record);
    }

    private void onEvent(String type, byte[] data) {
      Endpoint.Event event = endpoint.decode(type, data);
      switch (event.kind()) {
        case TEXT -> {
          if (ttft < 0) {
            ttft = System.nanoTime() - startedAt;
            run.receiving.incrementAndGet();
          }
          text.append(event.text());
        }
        case DONE -> sawDone = true;
        case ERROR -> failure = failure == null ? "error event: " + event.text() : failure;
        default -> {
        }
      }
    }

    private void end(String error) {
      if (!ended) {
        ended = true;
        if (connection != null) {
          connection.close();
        }
        run.done(this, error);
      }
    }
  }
}
