package io.wsgrid.cli;

import io.wsgrid.bench.Bench;
import io.wsgrid.bench.ChannelsScenario;
import io.wsgrid.bench.FanoutScenario;
import io.wsgrid.config.ConfigException;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code wsgrid bench <scenario>}: the load generator. The side-by-side comparison with the peers
 * that drives it is not part of the product: {@code src/bench/run.sh}.
 */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Load generator: fanout, connect, idle, balance, channels against a wsgrid (or peer) target on loopback.",
      "Progress on stderr every second, a table (or JSON) at the end. wsgrid side by side with its peers: src/bench/run.sh."
    },
    subcommands = {
      BenchCommand.Fanout.class,
      BenchCommand.Connect.class,
      BenchCommand.Idle.class,
      BenchCommand.Balance.class,
      BenchCommand.Channels.class
    })
final class BenchCommand implements Runnable {
  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  /** Options every scenario takes. */
  static final class Common {
    @Option(
        names = "--target",
        split = ",",
        defaultValue = "ws://127.0.0.1:8080/ws",
        description =
            "WebSocket URL(s) to load, comma-separated; sockets go round robin (default: ${DEFAULT-VALUE}).")
    List<String> targets;

    @Option(
        names = "--protocol",
        defaultValue = "wsgrid",
        description = "wsgrid (also the Node ws peer) or socketio (default: ${DEFAULT-VALUE}).")
    String protocol;

    @Option(
        names = "--concurrency",
        defaultValue = "200",
        description = "Handshakes in flight at once (default: ${DEFAULT-VALUE}).")
    int concurrency;

    @Option(
        names = "--sources",
        defaultValue = "1",
        description =
            "Source addresses 127.0.0.2… to spread sockets over (more than ~28k sockets to one target need several; default: ${DEFAULT-VALUE}).")
    int sources;

    @Option(
        names = "--json",
        description = "Print the result as one JSON object instead of a table (default: a table).")
    boolean json;

    void check() {
      onLoopback(targets, "wss?", "a ws:// URL");
      if (concurrency < 1) throw new ConfigException("--concurrency must be >= 1");
      if (sources < 1 || sources > 250)
        throw new ConfigException("--sources must be between 1 and 250");
    }
  }

  /**
   * Refuses a target that is not a {@code scheme} URL on loopback: the load generator loads nothing
   * else.
   */
  static void onLoopback(List<String> targets, String scheme, String what) {
    for (String target : targets) {
      if (!target.matches(scheme + "://(127\\.[0-9.]+|localhost)(:[0-9]+)?(/.*)?")) {
        throw new ConfigException(
            "--target must be "
                + what
                + " on loopback (127.0.0.0/8): the load generator sends nowhere else; got "
                + target);
      }
    }
  }

  static int run(Common common, Callable<String> scenario) throws Exception {
    common.check();
    try {
      System.out.print(scenario.call());
      System.out.flush();
      return 0;
    } catch (IllegalArgumentException e) {
      throw new ConfigException(e.getMessage());
    }
  }

  @Command(
      name = "fanout",
      mixinStandardHelpOptions = true,
      sortOptions = false,
      description =
          "S subscribers over C channels, P publishers at a total rate R: publications/s, deliveries/s, latency p50/p99/p99.9, errors, drops.")
  static final class Fanout implements Callable<Integer> {
    @Mixin Common common;

    @Option(
        names = "--subscribers",
        defaultValue = "1000",
        description =
            "Subscriber sockets, spread evenly over the channels, one subscription each (default: ${DEFAULT-VALUE}).")
    int subscribers;

    @Option(
        names = "--channels",
        defaultValue = "10",
        description =
            "Channels; each publisher publishes to them in turn (default: ${DEFAULT-VALUE}).")
    int channels;

    @Option(
        names = "--publishers",
        defaultValue = "4",
        description =
            "Publisher sockets sharing --rate, each with at most "
                + FanoutScenario.WINDOW
                + " publications unacked (default: ${DEFAULT-VALUE}).")
    int publishers;

    @Option(
        names = "--rate",
        defaultValue = "1000",
        description =
            "Publications per second, all publishers together; 0 = as fast as acked (default: ${DEFAULT-VALUE}).")
    double rate;

    @Option(
        names = "--size",
        defaultValue = "128",
        description = "Message body size in bytes (default: ${DEFAULT-VALUE}).")
    int size;

    @Option(
        names = "--duration",
        defaultValue = "10",
        description = "Seconds of publishing, at most 600 (default: ${DEFAULT-VALUE}).")
    double duration;

    @Option(
        names = "--warmup",
        defaultValue = "3",
        description = "Seconds of the same load first, not reported (default: ${DEFAULT-VALUE}).")
    double warmup;

    @Option(
        names = "--channel-prefix",
        defaultValue = "bench.fanout",
        description =
            "Channel names are this prefix and the channel's number (default: ${DEFAULT-VALUE}).")
    String channelPrefix;

    @Option(
        names = "--subscribe-via",
        split = ",",
        description =
            "URL(s) the subscribers connect to, comma-separated (default: --target, which the publishers use).")
    List<String> subscribeVia;

    @Option(
        names = "--fresh",
        defaultValue = "false",
        description =
            "Channel names no earlier run used: the prefix gets a random part, so every channel is new to the cluster (default: reused names).")
    boolean fresh;

    @Override
    public Integer call() throws Exception {
      if (duration <= 0 || duration > 600)
        throw new ConfigException("--duration must be in (0, 600] seconds");
      String prefix =
          fresh
              ? channelPrefix + "." + Long.toHexString(System.nanoTime() & 0xFFFFFFL) + "."
              : channelPrefix;
      if (warmup < 0 || warmup > 600)
        throw new ConfigException("--warmup must be in [0, 600] seconds");
      try (Bench bench = new Bench()) {
        return run(
            common,
            () ->
                bench.fanout(
                    common.protocol,
                    common.targets,
                    subscribeVia,
                    subscribers,
                    channels,
                    publishers,
                    size,
                    rate,
                    duration,
                    warmup,
                    common.sources,
                    common.concurrency,
                    prefix,
                    common.json));
      }
    }
  }

  @Command(
      name = "connect",
      mixinStandardHelpOptions = true,
      sortOptions = false,
      description =
          "Open N sockets as fast as possible (concurrency K): connects/s, failures, handshake latency quantiles.")
  static final class Connect implements Callable<Integer> {
    @Mixin Common common;

    @Option(
        names = "--sockets",
        defaultValue = "5000",
        description = "Sockets to open; all are closed at the end (default: ${DEFAULT-VALUE}).")
    int sockets;

    @Override
    public Integer call() throws Exception {
      try (Bench bench = new Bench()) {
        return run(
            common,
            () ->
                bench.connect(
                    common.protocol,
                    common.targets,
                    sockets,
                    common.concurrency,
                    common.sources,
                    common.json));
      }
    }
  }

  @Command(
      name = "idle",
      mixinStandardHelpOptions = true,
      sortOptions = false,
      description =
          "Hold N idle sockets: the target's RSS and heap per socket (from its /metrics, or /proc/<pid> with --pid).")
  static final class Idle implements Callable<Integer> {
    @Mixin Common common;

    @Option(
        names = "--sockets",
        defaultValue = "10000",
        description = "Idle sockets to hold (default: ${DEFAULT-VALUE}).")
    int sockets;

    @Option(
        names = "--hold",
        defaultValue = "5",
        description = "Seconds to hold them before measuring (default: ${DEFAULT-VALUE}).")
    double hold;

    @Option(
        names = "--metrics",
        description =
            "The target's /metrics URL (default: the first --target's host and port, path /metrics).")
    String metrics;

    @Option(
        names = "--pid",
        defaultValue = "0",
        description =
            "Read the target's RSS from /proc/<pid> instead (peers without metrics; default: ${DEFAULT-VALUE}, use --metrics).")
    long pid;

    @Option(
        names = "--gc-pid",
        defaultValue = "0",
        description =
            "The target JVM's pid: run jcmd GC.run before each reading, so garbage is not counted (default: ${DEFAULT-VALUE}, no GC).")
    long gcPid;

    @Override
    public Integer call() throws Exception {
      try (Bench bench = new Bench()) {
        return run(
            common,
            () ->
                bench.idle(
                    common.protocol,
                    common.targets,
                    sockets,
                    common.concurrency,
                    common.sources,
                    hold,
                    metrics,
                    pid,
                    gcPid,
                    common.json));
      }
    }
  }

  @Command(
      name = "balance",
      mixinStandardHelpOptions = true,
      sortOptions = false,
      description =
          "N connects through the edge at the first --target, held: sockets per node and max/mean (wsgrid protocol only).")
  static final class Balance implements Callable<Integer> {
    @Mixin Common common;

    @Option(
        names = "--sockets",
        defaultValue = "3000",
        description = "Sockets to open through the edge and hold (default: ${DEFAULT-VALUE}).")
    int sockets;

    @Option(
        names = "--assign",
        description =
            "Ask GET /assign and connect to the node it names, so the edge holds no socket (default: connect through the edge's tunnel).")
    boolean assign;

    @Override
    public Integer call() throws Exception {
      if (!common.protocol.equals("wsgrid")) {
        throw new ConfigException(
            "bench balance speaks the wsgrid protocol only (it reads each socket's node from its connected frame); drop --protocol");
      }
      try (Bench bench = new Bench()) {
        return run(
            common,
            () ->
                bench.balance(
                    common.targets.get(0),
                    sockets,
                    common.concurrency,
                    common.sources,
                    assign,
                    common.json));
      }
    }
  }

  @Command(
      name = "channels",
      mixinStandardHelpOptions = true,
      sortOptions = false,
      description = {
        "One POST /api/publish to each of N distinct channels (names no earlier run used), nobody subscribed:"
            + " what channel state costs a node. Publications/s, failures, request latency p50/p99/p99.9."
      })
  static final class Channels implements Callable<Integer> {
    @Option(
        names = "--target",
        split = ",",
        defaultValue = "http://127.0.0.1:8081",
        description =
            "Node URL(s) to publish to, comma-separated, taken in turn; /api/publish is used (default: ${DEFAULT-VALUE}).")
    List<String> targets;

    @Option(
        names = "--count",
        defaultValue = "20000",
        description = "Distinct channels, one publication each (default: ${DEFAULT-VALUE}).")
    long count;

    @Option(
        names = "--rate",
        defaultValue = "5000",
        description =
            "Publications per second at most; 0 = as fast as the node answers, within --concurrency (default: ${DEFAULT-VALUE}).")
    double rate;

    @Option(
        names = "--concurrency",
        defaultValue = "64",
        description =
            "Requests in flight at once, each on its own keep-alive connection (default: ${DEFAULT-VALUE}).")
    int concurrency;

    @Option(
        names = "--channel-prefix",
        defaultValue = "bench.channels",
        description =
            "Channel names are this prefix, a random part and the channel's number (default: ${DEFAULT-VALUE}).")
    String channelPrefix;

    @Option(
        names = "--api-key",
        description =
            "The nodes' --api-key, sent as X-API-Key (default: none; a node without one answers loopback).")
    String apiKey;

    @Option(
        names = "--max-seconds",
        defaultValue = "600",
        description =
            "Stop publishing after this long, count reached or not (default: ${DEFAULT-VALUE}).")
    double maxSeconds;

    @Option(
        names = "--json",
        description = "Print the result as one JSON object instead of a table (default: a table).")
    boolean json;

    @Override
    public Integer call() throws Exception {
      onLoopback(targets, "https?", "a node's http:// URL (e.g. http://127.0.0.1:8081)");
      ChannelsScenario.Settings settings;
      try {
        settings =
            new ChannelsScenario.Settings(
                targets, count, rate, concurrency, channelPrefix, apiKey, maxSeconds);
      } catch (IllegalArgumentException e) {
        throw new ConfigException(e.getMessage());
      }
      try (Bench bench = new Bench()) {
        System.out.print(bench.channels(settings, json));
        System.out.flush();
        return 0;
      }
    }
  }
}
