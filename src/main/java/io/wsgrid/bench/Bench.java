package io.wsgrid.bench;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.util.List;
import org.slf4j.LoggerFactory;

/**
 * The load generator's entry points, one per scenario, each printing progress on stderr and
 * returning its {@link Report}. Every run is bounded by a count and a time and stops by itself.
 */
public final class Bench implements AutoCloseable {
  private final Vertx vertx;

  public Bench() {
    // Closing thousands of client sockets at the end of a run logs one eviction warning each.
    ((ch.qos.logback.classic.Logger)
            LoggerFactory.getLogger("io.vertx.core.http.impl.HttpClientConnection"))
        .setLevel(ch.qos.logback.classic.Level.ERROR);
    this.vertx =
        Vertx.vertx(
            new VertxOptions()
                .setEventLoopPoolSize(Runtime.getRuntime().availableProcessors())
                .setBlockedThreadCheckInterval(10_000)
                .setPreferNativeTransport(true));
  }

  /** A fan-out run at a fixed rate (0: as fast as acked). */
  public String fanout(
      String protocol,
      List<String> targets,
      List<String> subscribeVia,
      int subscribers,
      int channels,
      int publishers,
      int size,
      double rate,
      double seconds,
      double warmup,
      int sources,
      int concurrency,
      String channelPrefix,
      boolean json)
      throws Exception {
    List<List<String>> paths =
        subscribeVia == null || subscribeVia.isEmpty() ? null : List.of(subscribeVia);
    try (FanoutScenario scenario =
        new FanoutScenario(
            vertx,
            Wire.of(protocol),
            new FanoutScenario.Settings(
                targets,
                paths,
                subscribers,
                channels,
                publishers,
                size,
                sources,
                concurrency,
                channelPrefix))) {
      scenario.setup();
      if (warmup > 0) scenario.step(rate, warmup); // JIT and pools warm on both sides; not reported
      return format(scenario.step(rate, seconds), json);
    }
  }

  public String connect(
      String protocol, List<String> targets, int count, int concurrency, int sources, boolean json)
      throws Exception {
    return format(
        ConnectScenario.run(vertx, Wire.of(protocol), targets, count, concurrency, sources), json);
  }

  public String idle(
      String protocol,
      List<String> targets,
      int count,
      int concurrency,
      int sources,
      double holdSeconds,
      String metricsUrl,
      long pid,
      long gcPid,
      boolean json)
      throws Exception {
    if (metricsUrl == null && pid <= 0) {
      metricsUrl = targets.get(0).replaceFirst("^ws", "http").replaceFirst("/ws$", "") + "/metrics";
    }
    return format(
        IdleScenario.run(
            vertx,
            Wire.of(protocol),
            targets,
            count,
            concurrency,
            sources,
            holdSeconds,
            new IdleScenario.Probe(metricsUrl, pid, gcPid)),
        json);
  }

  /**
   * One publication to each of {@code count} distinct channels through {@code POST /api/publish}.
   */
  public String channels(ChannelsScenario.Settings settings, boolean json) throws Exception {
    return format(ChannelsScenario.run(vertx, settings), json);
  }

  public String balance(
      String edgeUrl, int count, int concurrency, int sources, boolean assign, boolean json)
      throws Exception {
    return format(BalanceScenario.run(vertx, edgeUrl, count, concurrency, sources, assign), json);
  }

  /**
   * The Vert.x instance the scenarios run on, for a caller that drives them step by step (the
   * comparison harness in {@code src/bench}); closed with this.
   */
  public Vertx vertx() {
    return vertx;
  }

  private static String format(Report report, boolean json) {
    return json ? report.toJson().encode() : report.toTable();
  }

  @Override
  public void close() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get();
  }
}
