package io.wsgrid.compare;

import io.wsgrid.bench.ChannelsScenario;
import io.wsgrid.bench.IdleScenario;
import io.wsgrid.bench.Report;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Channel state: 2 nodes with a short {@code --channel-idle-seconds}; their live heaps after one
 * HTTP publication to each of 20,000 distinct channels, and again once those have been idle past
 * the idle time and two expiry sweeps (target: back within 100 bytes per channel of the start).
 */
final class ChannelStateSection implements Section {
  static final double TARGET_BYTES = 100;

  /**
   * Long enough that the publications and the heap readings taken right after them fit inside it
   * (the reading must see every channel live), short enough to wait for.
   */
  static final int IDLE_SECONDS = 20;

  static final String[] NODES = {"state-n1", "state-n2"};

  @Override
  public String name() {
    return "state";
  }

  @Override
  public void run(Comparison c) throws Exception {
    int p = c.port();
    Servers servers = c.servers();
    int count = c.settings().quick() ? 5_000 : 20_000;
    List<String> more = new ArrayList<>(Servers.members(p + 51, p + 52));
    more.addAll(List.of("--channel-idle-seconds", "" + IDLE_SECONDS));
    servers.wsgridNode(NODES[0], p + 43, p + 51, "bench-state", Servers.DEFAULT_HEAP, more);
    servers.wsgridNode(NODES[1], p + 44, p + 52, "bench-state", Servers.DEFAULT_HEAP, more);
    List<String> http = List.of("http://127.0.0.1:" + (p + 43), "http://127.0.0.1:" + (p + 44));
    Expiry expiry = new Expiry(c.results(), http, IDLE_SECONDS);
    try {
      expiry.settle();
      // Warm: the publish path, channel creation and expiry run a few thousand times first, on
      // other channels, which are gone again before the start is read.
      publish(c, http, c.settings().quick() ? 1_000 : 5_000, "bench.state.warm");
      expiry.await("the warm-up's channels");
      long[] start = heaps(c);
      long publishedAt = System.nanoTime();
      Report published = publish(c, http, count, "bench.state");
      long[] live = heaps(c);
      double liveAfter = (System.nanoTime() - publishedAt) / 1e9;
      c.results()
          .log(
              "  live heap read %.1f s after the first of the %d publications (idle time %d s); the log counted %.0f channels at its"
                  + " last sweep",
              liveAfter, count, IDLE_SECONDS, expiry.channels());
      if (liveAfter >= IDLE_SECONDS) {
        c.results()
            .log(
                "  the publications and the reading took longer than the idle time: some channels may have gone before it");
      }
      expiry.await("the " + count + " channels");
      long[] after = heaps(c);
      report(c, count, published, start, live, after);
    } finally {
      for (int i = NODES.length - 1; i >= 0; i--) servers.stop(NODES[i]);
    }
  }

  /** One publication to each of {@code count} new channels, spread over the nodes. */
  private static Report publish(Comparison c, List<String> http, int count, String prefix)
      throws Exception {
    Report r =
        ChannelsScenario.run(
            c.vertx(), new ChannelsScenario.Settings(http, count, 5_000, 64, prefix, null, 300));
    c.results().log("  published to %d channels: %s", count, r.toJson().encode());
    if (r.number("failures") > 0)
      c.results().log("  %s publications failed: %s", r.get("failures"), r.get("last_failure"));
    return r;
  }

  /** Each node's live heap, after a full GC. */
  private static long[] heaps(Comparison c) throws Exception {
    long[] bytes = new long[NODES.length];
    for (int i = 0; i < NODES.length; i++) bytes[i] = LiveHeap.bytes(c.servers().pid(NODES[i]));
    c.results().log("  live heap: %s", describe(bytes));
    return bytes;
  }

  private static String describe(long[] bytes) {
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < bytes.length; i++) {
      text.append(i == 0 ? "" : ", ")
          .append(NODES[i])
          .append(String.format(Locale.ROOT, " %.1f MiB", bytes[i] / 1048576.0));
    }
    return text.toString();
  }

  /** Bytes per channel, per node: {@code (to - from) / channels}. */
  static double[] perChannel(long[] from, long[] to, long channels) {
    double[] per = new double[from.length];
    for (int i = 0; i < from.length; i++)
      per[i] = (to[i] - from[i]) / (double) Math.max(1, channels);
    return per;
  }

  private static void report(
      Comparison c, int count, Report published, long[] start, long[] live, long[] after) {
    long channels = (long) published.number("channels");
    double[] held = perChannel(start, live, channels);
    double[] left = perChannel(start, after, channels);
    double worst = Double.NEGATIVE_INFINITY;
    StringBuilder leftText = new StringBuilder();
    StringBuilder heldText = new StringBuilder();
    for (int i = 0; i < NODES.length; i++) {
      worst = Math.max(worst, left[i]);
      leftText
          .append(i == 0 ? "" : ", ")
          .append(String.format(Locale.ROOT, "%s %.0f B", NODES[i], left[i]));
      heldText
          .append(i == 0 ? "" : ", ")
          .append(String.format(Locale.ROOT, "%s %.0f B", NODES[i], held[i]));
    }
    String shape =
        Results.fmt(count)
            + " channels, one HTTP publication each, 2 nodes, --channel-idle-seconds "
            + IDLE_SECONDS;
    c.results()
        .row(
            "channel state: live heap left per channel once they expired ("
                + shape
                + "; worst node)",
            String.format(Locale.ROOT, "%.0f B (%s)", worst, leftText),
            "—",
            "—",
            "≤ " + Math.round(TARGET_BYTES) + " B",
            worst <= TARGET_BYTES,
            String.format(Locale.ROOT, "%.0f B per channel against ≤ %.0f B", worst, TARGET_BYTES));
    c.results()
        .informative(
            "channel state: live heap held per channel while they were live (each node holds every channel, as owner or backup)",
            heldText.toString(),
            "—",
            "—");
    c.results()
        .informative(
            "channel state: live heap at the start, live, after expiry",
            describe(start) + "; " + describe(live) + "; " + describe(after),
            "—",
            "—");
  }

  /**
   * Waits for the nodes' logs to hold no channel but their own (each node follows a probe channel
   * of its own, which never expires), past the idle time and two expiry sweeps; progress on stderr.
   */
  static final class Expiry {
    private final Results results;
    private final List<String> metrics = new ArrayList<>();
    private final int idleSeconds;

    /** The channels the nodes hold before anything is published, read by {@link #settle}. */
    private double own;

    Expiry(Results results, List<String> nodes, int idleSeconds) {
      this.results = results;
      for (String node : nodes) metrics.add(node + "/metrics");
      this.idleSeconds = idleSeconds;
    }

    /** How often a node with this idle time sweeps its channels, in seconds. */
    static double sweepSeconds(int idleSeconds) {
      return io.wsgrid.node.Node.sweepMillis(idleSeconds) / 1000.0;
    }

    /** Channels the nodes' logs held at their last sweeps ({@code wsgrid_log_channels}, summed). */
    double channels() throws Exception {
      double sum = 0;
      for (String url : metrics) sum += IdleScenario.metric(url, "wsgrid_log_channels");
      return sum;
    }

    /**
     * Reads the channels the nodes hold of their own once their sweeps have counted them (two sweep
     * intervals after they started).
     */
    void settle() throws Exception {
      Thread.sleep((long) ((2 * sweepSeconds(idleSeconds) + 1) * 1000));
      own = channels();
      results.log(
          "  before any publication the nodes hold %.0f channels of their own (wsgrid_log_channels)",
          own);
    }

    void await(String what) throws Exception {
      double least = idleSeconds + 2 * sweepSeconds(idleSeconds);
      double most = least + 60;
      long started = System.nanoTime();
      double channels = channels();
      while (true) {
        double waited = (System.nanoTime() - started) / 1e9;
        if (waited >= least && channels <= own) break;
        if (waited >= most) {
          throw new IllegalStateException(
              String.format(
                  Locale.ROOT,
                  "%s did not expire within %.0f s: the nodes still hold %.0f channels"
                      + " (wsgrid_log_channels; %.0f of their own before); see target/bench-logs/",
                  what,
                  most,
                  channels,
                  own));
        }
        System.err.printf(
            Locale.ROOT,
            "  [state %4.0fs] waiting for %s to expire (idle %d s + 2 sweeps): the nodes hold %.0f%n",
            waited,
            what,
            idleSeconds,
            channels);
        Thread.sleep(1_000);
        channels = channels();
      }
      results.log(
          "  %s expired: the nodes hold only their own %.0f channels %.0f s later",
          what, channels, (System.nanoTime() - started) / 1e9);
    }
  }
}
