package io.wsgrid.compare;

import io.wsgrid.bench.ChannelsScenario;
import io.wsgrid.bench.IdleScenario;
import io.wsgrid.bench.Report;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A million distinct channels on one node with {@code -Xmx512m}: one HTTP publication each, as fast
 * as the node takes them (bounded), its live heap read every ~10 s and once more after the last
 * channels expired (target: the node stays up, its live heap follows the channels held, and what is
 * left after they expired is at most 100 bytes per channel published). Minutes long, so it runs
 * only when {@code --only} names it.
 */
final class MillionChannelsSection implements Section {
  static final int IDLE_SECONDS = 10;
  static final double TARGET_BYTES = 100;
  static final String HEAP = "512m";
  private static final double RATE_BOUND = 10_000;
  private static final int IN_FLIGHT = 32;
  private static final double MAX_SECONDS = 1_200;
  private static final double SAMPLE_SECONDS = 10;
  private static final String NODE = "million";

  @Override
  public String name() {
    return "million";
  }

  @Override
  public boolean byDefault() {
    return false;
  }

  /**
   * One reading: seconds since the start, channels published so far, the live heap, the channels
   * the log held at its last sweep.
   */
  record Sample(double seconds, long published, long liveHeap, double logChannels) {}

  /**
   * What the live heap kept per channel published once every channel expired: the last sample
   * against the first.
   */
  static double leftPerChannel(List<Sample> samples) {
    Sample first = samples.get(0);
    Sample last = samples.get(samples.size() - 1);
    return (last.liveHeap() - first.liveHeap()) / (double) Math.max(1, last.published());
  }

  /**
   * The live heap over the first sample's per channel the log held then, or NaN when it held none.
   */
  static double perHeld(Sample sample, Sample first) {
    return sample.logChannels() > 0
        ? (sample.liveHeap() - first.liveHeap()) / sample.logChannels()
        : Double.NaN;
  }

  @Override
  public void run(Comparison c) throws Exception {
    int p = c.port();
    long count = c.settings().millionChannels();
    List<String> more = new ArrayList<>(Servers.members(p + 53));
    more.addAll(List.of("--channel-idle-seconds", "" + IDLE_SECONDS));
    c.servers().wsgridNode(NODE, p + 6, p + 53, "bench-million", HEAP, more);
    String http = "http://127.0.0.1:" + (p + 6);
    long pid = c.servers().pid(NODE);
    List<Sample> samples = new ArrayList<>();
    try {
      long started = System.nanoTime();
      samples.add(sample(c, started, 0, pid, http));
      ChannelsScenario scenario =
          ChannelsScenario.start(
              c.vertx(),
              new ChannelsScenario.Settings(
                  List.of(http), count, RATE_BOUND, IN_FLIGHT, "bench.million", null, MAX_SECONDS));
      long nextSample = System.nanoTime() + (long) (SAMPLE_SECONDS * 1e9);
      while (!scenario.done().isComplete() && c.servers().alive(NODE)) {
        Thread.sleep(1_000);
        System.err.printf(
            Locale.ROOT,
            "  [million %4.0fs] %s%n",
            (System.nanoTime() - started) / 1e9,
            scenario.progress());
        if (System.nanoTime() >= nextSample && !scenario.done().isComplete()) {
          try {
            samples.add(sample(c, started, scenario.published(), pid, http));
          } catch (java.io.IOException e) {
            if (c.servers().alive(NODE)) throw e;
            break; // it died while being read: the verdict says so
          }
          nextSample = System.nanoTime() + (long) (SAMPLE_SECONDS * 1e9);
        }
      }
      Report published =
          scenario
              .done()
              .toCompletionStage()
              .toCompletableFuture()
              .get(120, java.util.concurrent.TimeUnit.SECONDS);
      c.results().log("  published: %s", published.toJson().encode());
      boolean alive = c.servers().alive(NODE);
      if (alive) samples.add(sample(c, started, scenario.published(), pid, http));
      double publishing = (System.nanoTime() - started) / 1e9;
      // Once more after the idle time and two sweeps: what the channels leave behind.
      if (alive) {
        Thread.sleep(
            (long)
                ((IDLE_SECONDS + 2 * ChannelStateSection.Expiry.sweepSeconds(IDLE_SECONDS))
                    * 1000));
        samples.add(sample(c, started, scenario.published(), pid, http));
      }
      report(c, count, published, samples, publishing, alive, alive && ready(http));
    } finally {
      c.servers().stop(NODE);
    }
  }

  private Sample sample(Comparison c, long started, long published, long pid, String http)
      throws Exception {
    long heap = LiveHeap.bytes(pid);
    double channels = IdleScenario.metric(http + "/metrics", "wsgrid_log_channels");
    Sample s = new Sample((System.nanoTime() - started) / 1e9, published, heap, channels);
    c.results()
        .log(
            "  %.0f s: %d channels published, live heap %.1f MiB, the log holds %.0f channels",
            s.seconds(), published, heap / 1048576.0, channels);
    return s;
  }

  private static boolean ready(String http) {
    try {
      return HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(URI.create(http + "/ready"))
                      .timeout(Duration.ofSeconds(10))
                      .build(),
                  HttpResponse.BodyHandlers.discarding())
              .statusCode()
          == 200;
    } catch (Exception e) {
      return false;
    }
  }

  /**
   * {@code samples}: the first before any publication; the last, when {@code expired}, after the
   * last channels' idle time and two sweeps.
   */
  private static void report(
      Comparison c,
      long count,
      Report published,
      List<Sample> samples,
      double publishing,
      boolean expired,
      boolean up) {
    long max = samples.stream().mapToLong(Sample::liveHeap).max().orElse(0);
    double left = expired ? leftPerChannel(samples) : Double.NaN;
    String what =
        Results.fmt(count)
            + " distinct channels, one HTTP publication each, on one node with -Xmx"
            + HEAP
            + " and --channel-idle-seconds "
            + IDLE_SECONDS
            + ": node up; live heap left per channel once they expired";
    String leftText =
        Double.isNaN(left) ? "not read" : String.format(Locale.ROOT, "%.1f B per channel", left);
    c.results()
        .row(
            what,
            String.format(
                Locale.ROOT,
                "%s; %s; max live heap %.1f MiB",
                up ? "up" : "DOWN",
                leftText,
                max / 1048576.0),
            "—",
            "—",
            "up, ≤ " + Math.round(TARGET_BYTES) + " B per channel",
            up && left <= TARGET_BYTES,
            !up
                ? "the node did not stay up (see target/bench-logs/" + NODE + ".log)"
                : String.format(
                    Locale.ROOT, "%.1f B per channel against ≤ %.0f B", left, TARGET_BYTES));
    c.results()
        .informative(
            "distinct channels on one node: channels published, publications/s, failures, time",
            String.format(
                Locale.ROOT,
                "%s of %s, %s/s, %s failed, %.0f s (%s)",
                Results.fmt(published.number("channels")),
                Results.fmt(count),
                Results.fmt(published.number("publications_per_s")),
                published.get("failures"),
                publishing,
                published.get("stopped_by")),
            "—",
            "—");
    List<List<String>> rows = new ArrayList<>();
    for (int i = 0; i < samples.size(); i++) {
      Sample s = samples.get(i);
      boolean after = expired && i == samples.size() - 1;
      String when =
          after
              ? String.format(Locale.ROOT, "%.0f (idle + 2 sweeps later)", s.seconds())
              : String.format(Locale.ROOT, "%.0f", s.seconds());
      double perHeld = after ? Double.NaN : perHeld(s, samples.get(0));
      rows.add(
          List.of(
              when,
              Results.fmt(s.published()),
              String.format(Locale.ROOT, "%.1f", s.liveHeap() / 1048576.0),
              Results.fmt(s.logChannels()),
              Double.isNaN(perHeld) ? "—" : String.format(Locale.ROOT, "%.0f", perHeld)));
    }
    c.results()
        .table(
            Results.fmt(count) + " distinct channels on one node: live heap over time",
            "The `million` section: one node with -Xmx"
                + HEAP
                + " and --channel-idle-seconds "
                + IDLE_SECONDS
                + ", one HTTP publication to each of "
                + Results.fmt(count)
                + " distinct channels; every ~"
                + Math.round(SAMPLE_SECONDS)
                + " s the node's live heap after a full GC"
                + " (jcmd GC.class_histogram) and the channels its log held at its last sweep (wsgrid_log_channels).",
            List.of(
                "seconds",
                "channels published",
                "live heap (MiB)",
                "channels held",
                "live heap over the start per channel held (B)"),
            rows);
  }
}
