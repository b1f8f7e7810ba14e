package io.wsgrid.bench;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * S subscribers over C channels, P publishers at a total rate R (0: as fast as the server acks,
 * with at most {@link #WINDOW} publications in flight per publisher), messages of M bytes stamped
 * with the send time. Subscribers and publishers live in this process, so the stamp and the receive
 * time come from one clock. A step reports publications/s (acked), deliveries/s, delivery latency
 * quantiles, errors and drops (deliveries owed for acked publications that never came). Connections
 * are opened once and reused by every step, so a sweep of rates is cheap.
 *
 * <p>With several subscriber paths (say: straight to the nodes, through the wsgrid edge, through
 * HAProxy) subscriber {@code i} connects through path {@code i % paths}, every path has subscribers
 * on every channel, and each path's latency is recorded apart: the same publications, at the same
 * moments, reach each path, so the difference between two paths' quantiles is what a path adds,
 * free of the run-to-run noise of a shared machine.
 */
public final class FanoutScenario implements AutoCloseable {
  public static final int WINDOW = 2_000;
  private static final long TICK_MS = 5;

  /**
   * The load's shape. Publishers connect to {@code targets}; subscribers through {@code paths}
   * (each a list of URLs, round robin within it), by default the targets alone.
   */
  public record Settings(
      List<String> targets,
      List<List<String>> paths,
      int subscribers,
      int channels,
      int publishers,
      int size,
      int sources,
      int concurrency,
      String channelPrefix) {
    public Settings {
      if (subscribers < 1 || channels < 1 || publishers < 1)
        throw new IllegalArgumentException(
            "--subscribers, --channels and --publishers must be >= 1");
      if (size < 24)
        throw new IllegalArgumentException(
            "--size must be >= 24 bytes (the time stamp needs room)");
      if (targets.isEmpty()) throw new IllegalArgumentException("--target needs at least one URL");
      paths = paths == null || paths.isEmpty() ? List.of(targets) : List.copyOf(paths);
      if (paths.stream().anyMatch(List::isEmpty))
        throw new IllegalArgumentException("a subscriber path needs at least one URL");
    }

    public Settings(
        List<String> targets,
        int subscribers,
        int channels,
        int publishers,
        int size,
        int sources,
        int concurrency,
        String channelPrefix) {
      this(
          targets,
          null,
          subscribers,
          channels,
          publishers,
          size,
          sources,
          concurrency,
          channelPrefix);
    }
  }

  private final Vertx vertx;
  private final Settings settings;
  private final Connector connector;
  private final int[] subscribersOf;
  private final String padding;
  private List<BenchSocket> subscribers = List.of();
  private List<BenchSocket> publishers = List.of();
  private final LongAdder delivered = new LongAdder();
  private final LongAdder errors = new LongAdder();
  private final Recorder latency = new Recorder(3);

  /** Per subscriber path, when there are several. */
  private final Recorder[] pathLatency;

  private volatile long stepStarted = Long.MAX_VALUE;

  /** What channel names start with: the settings' prefix until {@link #moveTo}. */
  private volatile String channelPrefix;

  public FanoutScenario(Vertx vertx, Wire wire, Settings settings) {
    this.vertx = vertx;
    this.settings = settings;
    this.channelPrefix = settings.channelPrefix();
    this.connector = new Connector(vertx, wire, settings.sources());
    this.subscribersOf = new int[settings.channels()];
    for (int i = 0; i < settings.subscribers(); i++) subscribersOf[channelOf(i)]++;
    this.padding =
        "x".repeat(Math.max(0, settings.size() - "{\"t\":1234567890123456,\"p\":\"\"}".length()));
    this.pathLatency = new Recorder[settings.paths().size()];
    for (int k = 0; k < pathLatency.length; k++) pathLatency[k] = new Recorder(3);
  }

  private String channel(int index) {
    return channelPrefix + index;
  }

  /**
   * Subscriber {@code i}'s channel: subscriber {@code i} is the {@code i / paths}-th of path {@code
   * i % paths}, and each path's subscribers go round the channels from a different one, so every
   * path has subscribers on every channel (whatever the two counts' common divisors).
   */
  private int channelOf(int i) {
    int paths = settings.paths().size();
    return (i / paths + i % paths) % settings.channels();
  }

  /** Opens and subscribes every subscriber, then opens the publishers. */
  public void setup() throws Exception {
    try (Progress p =
        new Progress(
            vertx,
            "fanout setup",
            () ->
                connector.opened.get() + " sockets open, " + connector.failed.get() + " failed")) {
      int paths = settings.paths().size();
      List<List<BenchSocket>> byPath = new ArrayList<>();
      for (int k = 0; k < paths; k++) {
        int count = settings.subscribers() / paths + (k < settings.subscribers() % paths ? 1 : 0);
        byPath.add(
            await(connector.open(settings.paths().get(k), count, settings.concurrency()), 300));
        if (byPath.get(k).size() < count) {
          throw new IllegalStateException(
              connector.failed.get()
                  + " of "
                  + settings.subscribers()
                  + " subscribers could not connect to "
                  + settings.paths().get(k)
                  + ": "
                  + connector.lastFailure()
                  + " (is the target up? too many sockets for its limits?)");
        }
      }
      List<BenchSocket> all = new ArrayList<>();
      for (int i = 0; i < settings.subscribers(); i++)
        all.add(byPath.get(i % paths).get(i / paths));
      subscribers = all;
      List<Future<Void>> subscribing = new ArrayList<>();
      for (int i = 0; i < subscribers.size(); i++) {
        BenchSocket socket = subscribers.get(i);
        String channel = channel(channelOf(i));
        Recorder path = pathLatency[i % paths];
        socket.onPublication = stamp -> received(path, stamp);
        socket.onError = errors::increment;
        subscribing.add(onLoop(socket, () -> socket.subscribe(channel)));
      }
      await(Future.all(subscribing), 120);
      publishers =
          await(
              connector.open(settings.targets(), settings.publishers(), settings.concurrency()),
              60);
      if (publishers.size() < settings.publishers())
        throw new IllegalStateException("publishers could not connect: " + connector.lastFailure());
    }
  }

  /**
   * Moves every subscriber to the channel of the same number under {@code prefix} (unsubscribes its
   * channel, subscribes the new one, both acked), and the publishers publish there from the next
   * step on. With a prefix no earlier step used, every channel of the next step is new to the
   * server: its first publication falls in that step.
   */
  public void moveTo(String prefix) throws Exception {
    AtomicLong moved = new AtomicLong();
    try (Progress p =
        new Progress(
            vertx,
            "fanout move",
            () ->
                moved.get() + "/" + subscribers.size() + " subscribers moved to " + prefix + "*")) {
      List<Future<Void>> moving = new ArrayList<>();
      for (int i = 0; i < subscribers.size(); i++) {
        BenchSocket socket = subscribers.get(i);
        String from = channel(channelOf(i));
        String to = prefix + channelOf(i);
        moving.add(
            onLoop(
                socket,
                () ->
                    Future.all(socket.unsubscribe(from), socket.subscribe(to))
                        .<Void>mapEmpty()
                        .onSuccess(v -> moved.incrementAndGet())));
      }
      await(Future.all(moving), 120);
    }
    channelPrefix = prefix;
  }

  /** Runs {@code request} on the socket's event loop (the only thread that touches it). */
  private static Future<Void> onLoop(
      BenchSocket socket, java.util.function.Supplier<Future<Void>> request) {
    Promise<Void> done = Promise.promise();
    socket.context().runOnContext(v -> request.get().onComplete(done));
    return done.future();
  }

  private void received(Recorder path, long stamp) {
    if (stamp < stepStarted) return; // a straggler of an earlier step
    delivered.increment();
    long micros = Math.max(1, (System.nanoTime() - stamp) / 1_000);
    latency.recordValue(micros);
    if (pathLatency.length > 1) path.recordValue(micros);
  }

  /**
   * Publishes at {@code rate} per second (0: as fast as acked) for {@code seconds}; reports what
   * arrived.
   */
  public Report step(double rate, double seconds) throws Exception {
    delivered.reset();
    errors.reset();
    latency.reset();
    for (Recorder path : pathLatency) path.reset();
    AtomicLong sent = new AtomicLong();
    AtomicLong acked = new AtomicLong();
    AtomicLong owed = new AtomicLong();
    List<Publisher> running = new ArrayList<>();
    stepStarted = System.nanoTime();
    long deadline = stepStarted + (long) (seconds * 1e9);
    for (int i = 0; i < publishers.size(); i++) {
      Publisher publisher =
          new Publisher(
              publishers.get(i), i, rate / publishers.size(), deadline, sent, acked, owed);
      running.add(publisher);
      publishers.get(i).context().runOnContext(v -> publisher.start());
    }
    String what = rate > 0 ? "fanout " + Math.round(rate) + "/s" : "fanout max";
    try (Progress p =
        new Progress(
            vertx,
            what,
            () ->
                String.format(
                    "%d sent, %d acked, %d delivered, %d errors",
                    sent.get(), acked.get(), delivered.sum(), errors.sum()))) {
      Thread.sleep((long) (seconds * 1000));
      // Wait for the acks still in flight, then for the deliveries they owe.
      long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (running.stream().anyMatch(Publisher::waiting) && System.nanoTime() < until)
        Thread.sleep(20);
      until = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
      while (delivered.sum() < owed.get() && System.nanoTime() < until) Thread.sleep(20);
    }
    Histogram histogram = latency.getIntervalHistogram();
    long unacked = running.stream().mapToLong(Publisher::inFlight).sum();
    Report report =
        new Report("fanout")
            .put("rate_target", rate > 0 ? Math.round(rate) : "max")
            .put("subscribers", subscribers.size())
            .put("channels", settings.channels())
            .put("publishers", publishers.size())
            .put("size_bytes", settings.size())
            .put("seconds", seconds)
            .put("publications", acked.get())
            .put("publications_per_s", Math.round(acked.get() / seconds))
            .put("deliveries", delivered.sum())
            .put("deliveries_per_s", Math.round(delivered.sum() / seconds))
            .quantiles("latency", histogram)
            .put("errors", errors.sum() + unacked)
            .put("drops", Math.max(0, owed.get() - delivered.sum()));
    if (pathLatency.length > 1) {
      for (int k = 0; k < pathLatency.length; k++)
        report.quantiles("path" + (k + 1) + "_latency", pathLatency[k].getIntervalHistogram());
    }
    return report;
  }

  private Future<Void> closeAll() {
    List<BenchSocket> all = new ArrayList<>(subscribers);
    all.addAll(publishers);
    return connector.closeAll(all).compose(v -> connector.close());
  }

  @Override
  public void close() throws Exception {
    await(closeAll(), 30);
  }

  static <T> T await(Future<T> future, long seconds) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(seconds, TimeUnit.SECONDS);
  }

  /** One publisher socket's loop, on its event loop: send what is due, count acks in order. */
  private final class Publisher {
    private final BenchSocket socket;
    private final int index;
    private final double perSecond;
    private final long deadline;
    private final AtomicLong sent;
    private final AtomicLong acked;
    private final AtomicLong owed;
    private final ArrayDeque<Integer> unacked = new ArrayDeque<>();
    private volatile int inFlight;
    private long mine;
    private long timer = -1;

    Publisher(
        BenchSocket socket,
        int index,
        double perSecond,
        long deadline,
        AtomicLong sent,
        AtomicLong acked,
        AtomicLong owed) {
      this.socket = socket;
      this.index = index;
      this.perSecond = perSecond;
      this.deadline = deadline;
      this.sent = sent;
      this.acked = acked;
      this.owed = owed;
    }

    void start() {
      socket.onAck =
          id -> {
            Integer subs = unacked.poll();
            if (subs == null) return;
            inFlight = unacked.size();
            acked.incrementAndGet();
            owed.addAndGet(subs);
            if (perSecond <= 0) tick();
          };
      socket.onError =
          () -> {
            errors.increment();
            unacked.poll();
            inFlight = unacked.size();
          };
      long started = System.nanoTime();
      timer =
          vertx.setPeriodic(
              TICK_MS,
              id -> {
                if (System.nanoTime() >= deadline) {
                  vertx.cancelTimer(id);
                  return;
                }
                if (perSecond > 0) {
                  long due = (long) ((System.nanoTime() - started) / 1e9 * perSecond) - mine;
                  send(Math.min(due, WINDOW - unacked.size()));
                } else {
                  tick();
                }
              });
    }

    private void tick() {
      if (System.nanoTime() < deadline) send(Math.min(WINDOW - unacked.size(), 200));
    }

    private void send(long count) {
      for (long k = 0; k < count && !socket.isClosed(); k++) {
        int c = (int) ((mine + index) % settings.channels());
        socket.publish(channel(c), "{\"t\":" + System.nanoTime() + ",\"p\":\"" + padding + "\"}");
        unacked.add(subscribersOf[c]);
        mine++;
        sent.incrementAndGet();
      }
      inFlight = unacked.size();
    }

    boolean waiting() {
      return inFlight > 0 && !socket.isClosed();
    }

    long inFlight() {
      return inFlight;
    }
  }
}
