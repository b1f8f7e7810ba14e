package io.wsgrid.broker;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.VertxInternal;
import io.wsgrid.broker.log.LogEntry;
import io.wsgrid.broker.log.LogShard;
import io.wsgrid.broker.log.PublicationLog;
import io.wsgrid.broker.log.ShardBatch;
import io.wsgrid.broker.log.ShardReply;
import io.wsgrid.broker.log.ShardRequest;
import io.wsgrid.protocol.ErrorCode;
import io.wsgrid.protocol.ProtocolError;
import io.wsgrid.protocol.StreamPosition;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The broker over a {@link PublicationLog}. A node's publications of one event-loop turn are
 * grouped by shard, and each shard gets one batch in flight at a time from this node (whatever
 * arrives meanwhile goes in the next, so batches grow with the load and a publisher's order is
 * kept). The reply is handled on the event loop of the batch's first publisher, which is woken for
 * its reply anyway: offsets go back to the publishers, and publications to the nodes that follow
 * their channels, one message per node per batch. Each followed channel is put in offset order
 * ({@link ChannelOrder}) on the event loop of its first listener; a gap that is not filled within
 * {@link #GAP_WAIT_MS} is read from the log. So a publication costs a wake-up of the log's
 * partition thread and of its publisher's loop, not a hop through a thread of the broker's own.
 */
public final class LogBroker implements Broker {
  static final long GAP_WAIT_MS = 100;

  /** Each node follows and publishes to its own probe channel, {@value}{@code <follower id>}. */
  public static final String PROBE_PREFIX = "_wsgrid.probe.";

  /** Channels one self-check round looks at, at most. */
  private static final int CHECK_ROUND = 10_000;

  static final int MAX_BATCH = 1000;
  private static final int READ_BATCH = 1000;
  private static final Logger log = LoggerFactory.getLogger(LogBroker.class);

  private final Vertx vertx;

  /**
   * Where work goes that belongs to no event loop of a caller (batches of follows only, sweeps).
   */
  private final ContextInternal fallback;

  private final PublicationLog publicationLog;
  private final Fanout fanout;
  private final ChannelPolicies policies;
  private final FrameEncoder encoder;
  private final Clock clock;
  private final String self;
  private final ShardQueue[] queues;
  private final Map<String, Stream> streams = new ConcurrentHashMap<>();
  private final ThreadLocal<Outbox> outboxes = ThreadLocal.withInitial(Outbox::new);
  private final long seedBase = ThreadLocalRandom.current().nextLong();
  private final String probeChannel;
  private final Probe probe = new Probe();
  private volatile Consumer<String> repairs = kind -> {};
  private volatile long sweepTimer = -1;
  private volatile long checkTimer = -1;

  /**
   * Where the round of self-checks got to, for nodes that follow more channels than one round
   * checks.
   */
  private Iterator<Stream> checking = Collections.emptyIterator();

  /** A broker for the node whose follower id is {@code self}. */
  public LogBroker(
      Vertx vertx,
      PublicationLog publicationLog,
      Fanout fanout,
      ChannelPolicies policies,
      FrameEncoder encoder,
      Clock clock,
      String self) {
    this.vertx = vertx;
    this.fallback = ((VertxInternal) vertx).createEventLoopContext();
    this.publicationLog = publicationLog;
    this.fanout = fanout;
    this.policies = policies;
    this.encoder = encoder;
    this.clock = clock;
    this.self = self;
    this.queues = new ShardQueue[publicationLog.shards()];
    for (int i = 0; i < queues.length; i++) queues[i] = new ShardQueue(i);
    this.probeChannel = PROBE_PREFIX + self;
  }

  /**
   * Starts receiving other nodes' publications on {@code receiving} (best the event loop of a
   * WebSocket verticle: its own channels are then ordered without a hop), and sweeps expired
   * channels every {@code sweepMillis} (0: never).
   */
  public Future<Void> start(Context receiving, long sweepMillis) {
    return start(receiving, sweepMillis, 0);
  }

  /**
   * ... and checks this node's own delivery path every {@code checkMillis} (0: never): each
   * followed channel is followed again (the log answers where it stands: a channel whose epoch
   * changed is restarted, offsets the log held at the last check and this node still has not
   * delivered are read from the log, and a follow the log lost is made again), the fan-out's
   * registration is verified (and made again if the cluster lost it), and a probe publication is
   * sent through the log to this node. {@link #healthy} is false while a probe does not come back
   * or the fan-out cannot be reached.
   */
  public Future<Void> start(Context receiving, long sweepMillis, long checkMillis) {
    if (sweepMillis > 0) {
      fallback.runOnContext(
          v ->
              sweepTimer =
                  vertx.setPeriodic(
                      sweepMillis,
                      id ->
                          publicationLog
                              .expire()
                              .whenComplete(
                                  (removed, e) -> {
                                    if (e != null)
                                      log.debug("channel expiry sweep failed: {}", e.toString());
                                    else if (removed > 0)
                                      log.debug("expired {} idle channels", removed);
                                  })));
    }
    Future<Void> started = fanout.start(receiving, this::route);
    if (checkMillis <= 0) return started;
    publicationLog.onLoss(
        () ->
            fallback.runOnContext(
                v -> {
                  log.warn(
                      "the cluster lost every copy of part of the publication log: checking every followed channel now");
                  checking = List.copyOf(streams.values()).iterator();
                  selfCheck(checkMillis);
                }));
    return started
        .compose(v -> join(probeChannel, probe))
        .onSuccess(
            v ->
                fallback.runOnContext(
                    w ->
                        checkTimer = vertx.setPeriodic(checkMillis, id -> selfCheck(checkMillis))));
  }

  /**
   * Counts each repair the self-check makes, by kind ({@code gap}, {@code epoch}, {@code
   * consumer}).
   */
  public void onRepair(Consumer<String> counter) {
    this.repairs = counter;
  }

  /**
   * False while this node's own probe publications do not come back, or other nodes cannot reach
   * its fan-out.
   */
  public boolean healthy() {
    return probe.healthy();
  }

  /** Stops the sweep and the self-check. */
  public void stop() {
    long timer = sweepTimer;
    if (timer >= 0) vertx.cancelTimer(timer);
    timer = checkTimer;
    if (timer >= 0) vertx.cancelTimer(timer);
  }

  /** One self-check round, on the fallback loop: see {@link #start(Context, long, long)}. */
  private void selfCheck(long checkMillis) {
    if (!checking.hasNext()) checking = List.copyOf(streams.values()).iterator();
    boolean[] touched = new boolean[queues.length];
    for (int i = 0; i < CHECK_ROUND && checking.hasNext(); i++) {
      Stream stream = checking.next();
      if (stream.closed) continue;
      int shard = publicationLog.shardOf(stream.channel);
      queues[shard].add(new Request(ShardRequest.follow(stream.channel), null, stream, true));
      touched[shard] = true;
    }
    for (int i = 0; i < queues.length; i++) {
      if (touched[i]) queues[i].pump();
    }
    fanout
        .verify()
        .onComplete(
            ar -> {
              boolean reachable = ar.succeeded() && ar.result();
              if (!reachable) {
                repairs.accept("consumer");
                log.warn(
                    "this node's fan-out could not be reached by the cluster ({}); registered it again",
                    ar.succeeded() ? "its registration was gone" : ar.cause().toString());
              }
              probe.fanoutReachable(reachable);
            });
    probe.send(checkMillis);
  }

  @Override
  public ChannelPolicies.Policy policy(String channel) {
    return policies.policy(channel);
  }

  @Override
  public int subscribedChannels() {
    return streams.size();
  }

  private long micros() {
    Instant now = clock.instant();
    return now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000;
  }

  // ---- publishing ----

  @Override
  public Future<Long> publish(String channel, byte[] data) {
    if (!Context.isOnEventLoopThread()) {
      Pending pending = new Pending(channel, data, micros(), Promise.promise(), fallback);
      enqueue(List.of(pending));
      return pending.promise.future();
    }
    ContextInternal caller = (ContextInternal) vertx.getOrCreateContext();
    Pending pending = new Pending(channel, data, micros(), caller.promise(), caller);
    Outbox outbox = outboxes.get();
    // Everything this event loop publishes in the current turn goes to the log together.
    if (outbox.add(pending)) caller.runOnContext(v -> enqueue(outbox.drain()));
    return pending.promise.future();
  }

  private void enqueue(List<Pending> publications) {
    boolean[] touched = new boolean[queues.length];
    for (Pending p : publications) {
      ChannelPolicies.Policy policy = policies.policy(p.channel);
      int shard = publicationLog.shardOf(p.channel);
      queues[shard].add(
          new Request(
              ShardRequest.append(
                  p.channel, p.data, p.acceptedAt, policy.size(), policy.ttlSeconds()),
              p,
              null));
      touched[shard] = true;
    }
    for (int i = 0; i < queues.length; i++) {
      if (touched[i]) queues[i].pump();
    }
  }

  /** A publication waiting for its offset, and the event loop of the caller to tell. */
  private record Pending(
      String channel,
      byte[] data,
      long acceptedAt,
      Promise<Long> promise,
      ContextInternal caller) {}

  /** What one event-loop thread published in the current turn; used by that thread only. */
  private static final class Outbox {
    private List<Pending> pending = new ArrayList<>();

    /** Adds; true when it is the turn's first, so the caller schedules the flush. */
    boolean add(Pending p) {
      pending.add(p);
      return pending.size() == 1;
    }

    List<Pending> drain() {
      List<Pending> out = pending;
      pending = new ArrayList<>();
      return out;
    }
  }

  /**
   * A request waiting in a shard's queue: an append (with its publication) or a follow/unfollow
   * (with its stream; {@code check}: a follow of the self-check, for a stream that follows
   * already).
   */
  private record Request(ShardRequest request, Pending publication, Stream stream, boolean check) {
    Request(ShardRequest request, Pending publication, Stream stream) {
      this(request, publication, stream, false);
    }

    ContextInternal home() {
      return publication != null ? publication.caller : stream.context;
    }
  }

  /** This node's requests to one shard, one batch in flight at a time; called from any thread. */
  private final class ShardQueue {
    final int shard;
    private final ArrayDeque<Request> waiting = new ArrayDeque<>();
    private boolean inFlight;
    private long seq;

    ShardQueue(int shard) {
      this.shard = shard;
    }

    synchronized void add(Request request) {
      waiting.add(request);
    }

    void pump() {
      List<Request> taken;
      ShardBatch batch;
      synchronized (this) {
        if (inFlight || waiting.isEmpty()) return;
        int n = Math.min(waiting.size(), MAX_BATCH);
        taken = new ArrayList<>(n);
        List<ShardRequest> requests = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
          Request r = waiting.poll();
          taken.add(r);
          requests.add(r.request);
        }
        inFlight = true;
        seq++;
        batch =
            new ShardBatch(
                self,
                seq,
                clock.millis(),
                seedBase ^ (seq * 0x9E3779B97F4A7C15L) ^ shard,
                requests);
      }
      ContextInternal home = taken.get(0).home();
      publicationLog
          .apply(shard, batch)
          .whenComplete(
              (reply, failure) ->
                  home.runOnContext(
                      v -> {
                        // Handled before the next batch goes: one shard's replies are handled in
                        // the order sent.
                        try {
                          if (failure != null) failed(taken, failure);
                          else applied(taken, reply, home);
                        } catch (RuntimeException e) {
                          log.error(
                              "shard {}: handling the log's reply to a batch failed", shard, e);
                        } finally {
                          synchronized (this) {
                            inFlight = false;
                          }
                          pump();
                        }
                      }));
    }
  }

  /** The log's reply to a batch, on the event loop of its first request. */
  private void applied(List<Request> taken, ShardReply reply, ContextInternal home) {
    Map<ContextInternal, List<Runnable>> elsewhere = new IdentityHashMap<>();
    Map<String, List<Delivery>> remote = new LinkedHashMap<>();
    List<Delivery> local = new ArrayList<>();
    List<Runnable> here = new ArrayList<>();
    for (int i = 0; i < taken.size(); i++) {
      Request r = taken.get(i);
      long offset = reply.offsets()[i];
      long epoch = reply.epochs()[i];
      switch (r.request.kind()) {
        case APPEND -> {
          Pending p = r.publication;
          Delivery delivery =
              new Delivery(
                  p.channel,
                  epoch,
                  offset,
                  p.acceptedAt,
                  encoder.publication(p.channel, offset, p.data));
          for (String follower : reply.followers()[i]) {
            if (follower.equals(self)) local.add(delivery);
            else remote.computeIfAbsent(follower, f -> new ArrayList<>()).add(delivery);
          }
          Runnable answer = () -> p.promise.complete(offset);
          if (p.caller == home) here.add(answer);
          else elsewhere.computeIfAbsent(p.caller, c -> new ArrayList<>()).add(answer);
        }
        case FOLLOW -> {
          if (r.check) r.stream.context.runOnContext(v -> r.stream.checked(epoch, offset));
          else r.stream.context.runOnContext(v -> r.stream.ready(epoch, offset + 1));
        }
        case UNFOLLOW -> {}
      }
    }
    remote.forEach(fanout::send);
    route(local);
    here.forEach(Runnable::run);
    elsewhere.forEach((caller, tasks) -> caller.runOnContext(v -> tasks.forEach(Runnable::run)));
  }

  private void failed(List<Request> taken, Throwable cause) {
    log.warn("publication log: a batch of {} requests failed: {}", taken.size(), cause.toString());
    for (Request r : taken) {
      ProtocolError failure =
          new ProtocolError(
              ErrorCode.UNAVAILABLE,
              "the cluster could not order channel "
                  + r.request.channel()
                  + " now ("
                  + cause.getClass().getSimpleName()
                  + "); retry");
      if (r.publication != null) {
        Pending p = r.publication;
        p.caller.runOnContext(v -> p.promise.fail(failure));
      } else if (r.request.kind() == ShardRequest.Kind.FOLLOW && !r.check) {
        r.stream.context.runOnContext(v -> r.stream.failed(failure));
      }
    }
  }

  // ---- following ----

  @Override
  public Future<Void> join(String channel, ChannelListener listener) {
    ContextInternal context = (ContextInternal) listener.context();
    Promise<Void> joined = context.promise();
    join(channel, listener, joined);
    return joined.future();
  }

  private void join(String channel, ChannelListener listener, Promise<Void> joined) {
    Stream[] created = new Stream[1];
    Stream stream =
        streams.computeIfAbsent(
            channel, c -> created[0] = new Stream(c, (ContextInternal) listener.context()));
    if (created[0] != null) {
      ShardQueue queue = queues[publicationLog.shardOf(channel)];
      queue.add(new Request(ShardRequest.follow(channel), null, stream));
      queue.pump();
    }
    stream.context.runOnContext(
        v -> {
          if (stream.closed) {
            join(
                channel, listener,
                joined); // it was just left: a new stream follows the channel again
            return;
          }
          stream.listeners.add(listener);
          if (stream.order != null) joined.complete();
          else stream.joining.add(joined);
        });
  }

  @Override
  public void leave(String channel, ChannelListener listener) {
    Stream stream = streams.get(channel);
    if (stream == null) return;
    stream.context.runOnContext(
        v -> {
          if (stream.closed || !stream.listeners.remove(listener) || !stream.listeners.isEmpty())
            return;
          stream.close();
          streams.remove(channel, stream);
          ShardQueue queue = queues[publicationLog.shardOf(channel)];
          queue.add(new Request(ShardRequest.unfollow(channel), null, stream));
          queue.pump();
        });
  }

  @Override
  public Future<StreamPosition> position(String channel) {
    Promise<StreamPosition> position = Promise.promise();
    Stream stream = streams.get(channel);
    if (stream != null) {
      stream.context.runOnContext(
          v -> {
            if (!stream.closed && stream.order != null) {
              position.complete(
                  new StreamPosition(
                      stream.order.next() - 1, LogShard.epochName(stream.order.epoch())));
            } else {
              positionFromLog(channel, position);
            }
          });
    } else {
      positionFromLog(channel, position);
    }
    return position.future();
  }

  private void positionFromLog(String channel, Promise<StreamPosition> position) {
    publicationLog
        .positions(publicationLog.shardOf(channel), List.of(channel))
        .whenComplete(
            (found, e) -> {
              if (e != null) {
                position.fail(e);
                return;
              }
              var p = found.get(channel);
              position.complete(
                  p == null
                      ? new StreamPosition(-1, LogShard.epochName(0))
                      : new StreamPosition(p.tail(), LogShard.epochName(p.epoch())));
            });
  }

  @Override
  public Future<List<Publication>> history(String channel, long from, long to) {
    Promise<List<Publication>> result = Promise.promise();
    readHistory(channel, from, to, new ArrayList<>(), result);
    return result.future();
  }

  @Override
  public Future<Long> oldest(String channel) {
    Promise<Long> oldest = Promise.promise();
    publicationLog
        .read(channel, 0, 0)
        .whenComplete(
            (slice, e) -> {
              if (e != null) oldest.fail(e);
              else oldest.complete(slice == null ? 0L : slice.first());
            });
    return oldest.future();
  }

  private void readHistory(
      String channel,
      long from,
      long to,
      List<Publication> out,
      Promise<List<Publication>> result) {
    if (from > to) {
      result.complete(out);
      return;
    }
    publicationLog
        .read(channel, from, (int) Math.min(READ_BATCH, to - from + 1))
        .whenComplete(
            (slice, e) -> {
              if (e != null) {
                result.fail(e);
              } else if (slice == null || slice.first() > from || slice.entries().isEmpty()) {
                result.fail(
                    new HistoryUnavailable(
                        "history of "
                            + channel
                            + " does not reach back to "
                            + from
                            + (slice == null
                                ? " (the channel holds no state)"
                                : " (it starts at " + slice.first() + ")")));
              } else {
                long last = from - 1;
                for (LogEntry entry : slice.entries()) {
                  if (entry.offset() > to) break;
                  out.add(
                      new Publication(
                          entry.offset(),
                          encoder.publication(channel, entry.offset(), entry.data())));
                  last = entry.offset();
                }
                readHistory(channel, last + 1, to, out, result);
              }
            });
  }

  // ---- ordering and delivering ----

  /**
   * Hands each delivery to its channel's stream, on the stream's event loop (here, or one task per
   * other loop).
   */
  private void route(List<Delivery> deliveries) {
    if (deliveries.isEmpty()) return;
    Context current = Vertx.currentContext();
    Map<ContextInternal, List<Delivery>> elsewhere = null;
    Dispatch dispatch = new Dispatch(current);
    for (Delivery d : deliveries) {
      Stream stream = streams.get(d.channel());
      if (stream == null) continue;
      if (stream.context == current) {
        stream.offer(d, dispatch);
      } else {
        if (elsewhere == null) elsewhere = new IdentityHashMap<>();
        elsewhere.computeIfAbsent(stream.context, c -> new ArrayList<>()).add(d);
      }
    }
    dispatch.run();
    if (elsewhere != null)
      elsewhere.forEach((context, list) -> context.runOnContext(v -> route(list)));
  }

  /**
   * What one pass of ordering can deliver: at once to listeners on this loop, one task per other
   * loop.
   */
  private static final class Dispatch {
    final Context current;
    final Map<Context, List<Runnable>> tasks = new IdentityHashMap<>();
    final List<Delivery> ordered = new ArrayList<>();

    Dispatch(Context current) {
      this.current = current;
    }

    void to(List<ChannelListener> listeners, Delivery d) {
      for (ChannelListener listener : listeners) {
        if (listener.context() == current) {
          listener.deliver(d.channel(), d.offset(), d.frame(), d.acceptedAtMicros());
        } else {
          tasks
              .computeIfAbsent(listener.context(), c -> new ArrayList<>())
              .add(
                  () -> listener.deliver(d.channel(), d.offset(), d.frame(), d.acceptedAtMicros()));
        }
      }
    }

    void interrupt(
        List<ChannelListener> listeners, String channel, long epoch, long offset, long lost) {
      for (ChannelListener listener : listeners) {
        Runnable call =
            () -> listener.interrupted(channel, LogShard.epochName(epoch), offset, lost);
        if (listener.context() == current) call.run();
        else tasks.computeIfAbsent(listener.context(), c -> new ArrayList<>()).add(call);
      }
    }

    void run() {
      tasks.forEach((context, list) -> context.runOnContext(v -> list.forEach(Runnable::run)));
    }
  }

  /**
   * The node's own probe: a channel it follows, published to at each self-check; healthy while the
   * last probe came back within three check intervals and the fan-out was reachable.
   */
  private final class Probe implements ChannelListener {
    private volatile long sentAt = -1;
    private volatile long cameBackAt = -1;
    private volatile long timeoutMillis = Long.MAX_VALUE;
    private volatile boolean fanoutReachable = true;

    void send(long checkMillis) {
      timeoutMillis = 3 * checkMillis + 1000;
      if (sentAt < 0 || cameBackAt >= sentAt) sentAt = System.currentTimeMillis();
      publish(
          probeChannel,
          ("{\"t\":" + System.currentTimeMillis() + "}")
              .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    }

    void fanoutReachable(boolean reachable) {
      fanoutReachable = reachable;
    }

    boolean healthy() {
      long sent = sentAt;
      boolean probed =
          sent < 0 || cameBackAt >= sent || System.currentTimeMillis() - sent < timeoutMillis;
      return probed && fanoutReachable;
    }

    @Override
    public Context context() {
      return fallback;
    }

    @Override
    public void deliver(String channel, long offset, Buffer frame, long acceptedAtMicros) {
      cameBackAt = System.currentTimeMillis();
    }
  }

  /**
   * One followed channel on this node: its listeners and its order, confined to {@link #context}.
   */
  private final class Stream {
    final String channel;
    final ContextInternal context;
    final List<ChannelListener> listeners = new CopyOnWriteArrayList<>();
    final List<Promise<Void>> joining = new ArrayList<>(1);

    /** Null until the log answered the follow; deliveries meanwhile wait in {@link #before}. */
    ChannelOrder order;

    List<Delivery> before;
    long gapTimer = -1;
    boolean filling;

    /** The last offset the log held at the previous self-check; -2 before the first. */
    long checkedTail = -2;

    /**
     * Where {@link #order} stood at the previous self-check: a channel that moved since is late,
     * not stuck.
     */
    long nextAtCheck = -1;

    volatile boolean closed;

    Stream(String channel, ContextInternal context) {
      this.channel = channel;
      this.context = context;
    }

    void ready(long epoch, long next) {
      if (closed) return;
      order = new ChannelOrder(epoch, next);
      joining.forEach(Promise::complete);
      joining.clear();
      if (before != null) {
        Dispatch dispatch = new Dispatch(context);
        for (Delivery d : before) offer(d, dispatch);
        before = null;
        dispatch.run();
      }
    }

    /**
     * The self-check's answer: where the log stands. Another epoch: the channel's log was started
     * anew (every copy lost, or both sides of a split published): restart after its tail and tell
     * the listeners. Offsets the log already held at the previous check, still not delivered, and
     * nothing delivered since that check: missing, not late; read them from the log.
     */
    void checked(long epoch, long tail) {
      if (closed || order == null) return;
      if (epoch != order.epoch() && tail < 0) {
        // The log holds nothing of the channel under the epoch this node knows: its state was lost
        // (every copy) or this side of a split lost it. Nothing was published under the new epoch,
        // so nothing was missed: the first publication that comes restarts the order (and tells
        // the listeners); a healed split may bring the old epoch back before that.
        checkedTail = -2;
        return;
      }
      if (epoch != order.epoch()) {
        log.warn(
            "channel {}: its log was started anew (epoch {} where this node had {}); continuing after offset {}",
            channel,
            LogShard.epochName(epoch),
            LogShard.epochName(order.epoch()),
            tail);
        order.restart(epoch, tail + 1);
        checkedTail = tail;
        nextAtCheck = order.next();
        repairs.accept("epoch");
        Dispatch dispatch = new Dispatch(context);
        dispatch.interrupt(listeners, channel, epoch, tail + 1, -1);
        dispatch.run();
        return;
      }
      // Offsets the log held two seconds ago that have not come are missing only if nothing came
      // since either: a node behind under load (its deliveries still arriving) is left to catch up.
      if (checkedTail >= order.next() && order.next() == nextAtCheck) {
        log.warn(
            "channel {}: offsets {}..{} were in the log at the last check and never came; reading them",
            channel,
            order.next(),
            checkedTail);
        repairs.accept("gap");
        order.expect(checkedTail);
        if (gapTimer >= 0) {
          vertx.cancelTimer(gapTimer);
          gapTimer = -1;
        }
        if (!filling) fillGap();
      }
      checkedTail = tail;
      nextAtCheck = order.next();
    }

    void failed(Throwable failure) {
      if (closed) return;
      close();
      streams.remove(channel, this);
      joining.forEach(p -> p.fail(failure));
      joining.clear();
    }

    void offer(Delivery d, Dispatch dispatch) {
      if (closed) return;
      if (order == null) {
        if (before == null) before = new ArrayList<>();
        before.add(d);
        return;
      }
      List<Delivery> out = dispatch.ordered;
      out.clear();
      if (order.offer(d, out)) {
        log.warn(
            "channel {}: its log was started anew (epoch {}), continuing from offset {}",
            channel,
            LogShard.epochName(order.epoch()),
            d.offset());
        dispatch.interrupt(listeners, channel, order.epoch(), d.offset(), -1);
      }
      for (Delivery ready : out) dispatch.to(listeners, ready);
      awaitGap();
    }

    /** A gap that is still open after {@link #GAP_WAIT_MS} is read from the log. */
    void awaitGap() {
      if (order.gap() == null || gapTimer >= 0 || filling) return;
      gapTimer =
          vertx.setTimer(
              GAP_WAIT_MS,
              t -> {
                gapTimer = -1;
                fillGap();
              });
    }

    void fillGap() {
      long[] gap = order.gap();
      if (closed || gap == null) return;
      filling = true;
      long epoch = order.epoch();
      long from = gap[0];
      long to = Math.min(gap[1], from + READ_BATCH - 1);
      publicationLog
          .read(channel, from, (int) (to - from + 1))
          .whenComplete(
              (slice, e) ->
                  context.runOnContext(
                      v -> {
                        filling = false;
                        if (closed) return;
                        if (e != null) {
                          log.warn(
                              "channel {}: cannot read offsets {}..{} from the log: {}",
                              channel,
                              from,
                              to,
                              e.toString());
                          awaitGap();
                          return;
                        }
                        List<Delivery> read = new ArrayList<>();
                        if (slice != null && slice.epoch() == epoch) {
                          for (LogEntry entry : slice.entries()) {
                            read.add(
                                new Delivery(
                                    channel,
                                    epoch,
                                    entry.offset(),
                                    entry.acceptedAtMicros(),
                                    encoder.publication(channel, entry.offset(), entry.data())));
                          }
                        }
                        Dispatch dispatch = new Dispatch(context);
                        long lost = order.fill(from, to, read, dispatch.ordered);
                        List<Delivery> ready = List.copyOf(dispatch.ordered);
                        if (lost > 0) {
                          log.warn(
                              "channel {}: {} publications between offsets {} and {} are no longer in the log; continuing",
                              channel,
                              lost,
                              from,
                              to);
                          dispatch.interrupt(listeners, channel, epoch, from, lost);
                        }
                        for (Delivery d : ready) dispatch.to(listeners, d);
                        dispatch.run();
                        awaitGap();
                      }));
    }

    void close() {
      closed = true;
      if (gapTimer >= 0) vertx.cancelTimer(gapTimer);
    }
  }
}
