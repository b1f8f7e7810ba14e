package io.wsgrid.bench;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.net.URI;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Recorder;

/**
 * One publication to each of N distinct channels through {@code POST /api/publish} (names no
 * earlier run used: the prefix gets a random part), at most {@code concurrency} requests in flight
 * over keep-alive connections, paced at {@code rate} per second (0: as fast as the answers come),
 * the targets taken in turn. It measures what channel state costs a node, not delivery: nobody
 * subscribes. Reports publications/s, failures and the requests' latency quantiles; stops at the
 * count, at {@code maxSeconds}, or after {@value #GIVE_UP} failures in a row (the node is gone).
 */
public final class ChannelsScenario {
  static final int GIVE_UP = 200;
  private static final long TICK_MS = 5;

  /**
   * What to publish: the node URLs ({@code http://host:port}), how many channels, how fast, how
   * many in flight, the names' prefix, the API key (or null), the time bound.
   */
  public record Settings(
      List<String> targets,
      long count,
      double rate,
      int concurrency,
      String prefix,
      String apiKey,
      double maxSeconds) {
    public Settings {
      if (targets.isEmpty())
        throw new IllegalArgumentException("--target needs at least one http:// URL of a node");
      for (String target : targets) {
        if (!target.matches("https?://[^/]+(/.*)?")) {
          throw new IllegalArgumentException(
              "--target must be a node's http:// URL (its /api/publish is used), e.g. http://127.0.0.1:8081; got "
                  + target);
        }
      }
      if (count < 1 || count > 100_000_000)
        throw new IllegalArgumentException("--count must be between 1 and 100000000; got " + count);
      if (rate < 0)
        throw new IllegalArgumentException(
            "--rate must be >= 0 (0 = as fast as the node answers); got " + rate);
      if (concurrency < 1 || concurrency > 1_000)
        throw new IllegalArgumentException(
            "--concurrency must be between 1 and 1000; got " + concurrency);
      if (maxSeconds <= 0)
        throw new IllegalArgumentException("--max-seconds must be > 0; got " + maxSeconds);
      targets = List.copyOf(targets);
    }
  }

  private final Vertx vertx;
  private final Settings settings;
  private final String names;
  private final HttpClientAgent client;
  private final RequestOptions[] requests;
  private final Context context;
  private final Recorder latency = new Recorder(3);
  private final AtomicLong published = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private final Promise<Report> done = Promise.promise();
  private final long started = System.nanoTime();
  private long sent;
  private int inFlight;
  private int failedInARow;
  private boolean stopped;
  private String stopReason = "count reached";
  private volatile String lastFailure = "";
  private long timer = -1;

  private ChannelsScenario(Vertx vertx, Settings settings) {
    this.vertx = vertx;
    this.settings = settings;
    this.names = settings.prefix() + "." + Long.toHexString(System.nanoTime() & 0xFFFFFFL) + ".";
    this.client =
        vertx.createHttpClient(
            new HttpClientOptions().setKeepAlive(true).setTcpNoDelay(true).setConnectTimeout(5_000),
            new PoolOptions().setHttp1MaxSize(settings.concurrency()));
    this.requests = new RequestOptions[settings.targets().size()];
    for (int i = 0; i < requests.length; i++) {
      URI uri = URI.create(settings.targets().get(i));
      String path =
          uri.getRawPath() == null || uri.getRawPath().isEmpty() || uri.getRawPath().equals("/")
              ? "/api/publish"
              : uri.getRawPath();
      requests[i] =
          new RequestOptions()
              .setMethod(HttpMethod.POST)
              .setHost(uri.getHost())
              .setPort(
                  uri.getPort() > 0 ? uri.getPort() : uri.getScheme().equals("https") ? 443 : 80)
              .setSsl(uri.getScheme().equals("https"))
              .setURI(path)
              .setTimeout(10_000)
              .addHeader("content-type", "application/json");
      if (settings.apiKey() != null) requests[i].addHeader("x-api-key", settings.apiKey());
    }
    // A thread outside Vert.x gets one sticky event loop: every request and the pacing run on it.
    this.context = vertx.getOrCreateContext();
  }

  /** Starts publishing; {@link #done()} completes with the report. */
  public static ChannelsScenario start(Vertx vertx, Settings settings) {
    ChannelsScenario scenario = new ChannelsScenario(vertx, settings);
    scenario.context.runOnContext(v -> scenario.begin());
    return scenario;
  }

  /** Publishes and waits for the end, with a progress line every second. */
  public static Report run(Vertx vertx, Settings settings) throws Exception {
    ChannelsScenario scenario = start(vertx, settings);
    try (Progress p = new Progress(vertx, "channels", scenario::progress)) {
      return scenario
          .done()
          .toCompletionStage()
          .toCompletableFuture()
          .get((long) settings.maxSeconds() + 60, TimeUnit.SECONDS);
    }
  }

  /** Channels published so far (acknowledged with an offset). */
  public long published() {
    return published.get();
  }

  public long failed() {
    return failed.get();
  }

  /** The names' common start: channel {@code i} is this and {@code i}. */
  public String names() {
    return names;
  }

  public Future<Report> done() {
    return done.future();
  }

  /** A progress line: how far, how fast, failures. */
  public String progress() {
    double seconds = (System.nanoTime() - started) / 1e9;
    return String.format(
        java.util.Locale.ROOT,
        "%,d/%,d channels published (%.0f/s), %d failed",
        published.get(),
        settings.count(),
        published.get() / Math.max(seconds, 1e-3),
        failed.get());
  }

  private void begin() {
    timer = vertx.setPeriodic(TICK_MS, id -> send());
    send();
  }

  /** Sends what is due, within the window; runs on the scenario's context. */
  private void send() {
    double elapsed = (System.nanoTime() - started) / 1e9;
    if (!stopped && elapsed >= settings.maxSeconds()) stop("--max-seconds reached");
    long target =
        settings.rate() > 0
            ? Math.min(settings.count(), (long) (elapsed * settings.rate()) + 1)
            : settings.count();
    while (!stopped && sent < target && inFlight < settings.concurrency()) publish(sent++);
    if (sent >= settings.count() || stopped) {
      if (inFlight == 0) finish();
    }
  }

  private void publish(long index) {
    inFlight++;
    RequestOptions request = requests[(int) (index % requests.length)];
    Buffer body =
        Buffer.buffer("{\"channel\":\"" + names + index + "\",\"data\":{\"i\":" + index + "}}");
    long at = System.nanoTime();
    client
        .request(request)
        .compose(r -> r.send(body))
        .compose(
            response ->
                response
                    .body()
                    .map(
                        answer -> {
                          if (response.statusCode() != 200)
                            throw new IllegalStateException(
                                "HTTP " + response.statusCode() + ": " + answer);
                          return answer;
                        }))
        .onComplete(
            ar -> {
              inFlight--;
              if (ar.succeeded()) {
                latency.recordValue(Math.max(1, (System.nanoTime() - at) / 1_000));
                published.incrementAndGet();
                failedInARow = 0;
              } else {
                failed.incrementAndGet();
                lastFailure = String.valueOf(ar.cause().getMessage());
                if (++failedInARow >= GIVE_UP)
                  stop(GIVE_UP + " publications in a row failed (last: " + lastFailure + ")");
              }
              send();
            });
  }

  private void stop(String reason) {
    stopped = true;
    stopReason = reason;
  }

  private void finish() {
    if (done.future().isComplete()) return;
    vertx.cancelTimer(timer);
    double seconds = (System.nanoTime() - started) / 1e9;
    Report report =
        new Report("channels")
            .put("channels", published.get())
            .put("asked", settings.count())
            .put("failures", failed.get())
            .put("seconds", Math.round(seconds * 10) / 10.0)
            .put("publications_per_s", Math.round(published.get() / seconds))
            .quantiles("latency", latency.getIntervalHistogram())
            .put("stopped_by", stopReason)
            .put("names", names + "<i>");
    if (failed.get() > 0) report.put("last_failure", lastFailure);
    client.close().onComplete(ar -> done.complete(report));
  }
}
