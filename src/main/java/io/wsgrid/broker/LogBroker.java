package io.wsgrid.broker;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.VertxInternal;
import io.wsgrid.broker.log.LogEntry;
import io.wsgrid.broker.log.LogShard;
import io.wsgrid.broker.log.LogSlice;
import io.wsgrid.broker.log.PublicationLog;
import io.wsgrid.broker.log.ShardBatch;
import io.wsgrid.broker.log.ShardReply;
import io.wsgrid.broker.log.ShardRequest;
import io.wsgrid.protocol.StreamPosition;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The broker over a {@link PublicationLog}: a node's publications of one event-loop turn are
 * grouped by shard, each shard gets one batch in flight at a time from this node (whatever arrives
 * meanwhile goes in the next, so batches grow with the load and a publisher's order is kept), and
 * the offsets that come back are fanned out to the nodes that follow each channel, one message per
 * node per batch. On the receiving side each followed channel is put in offset order
 * ({@link ChannelOrder}); a gap that is not filled within {@link #GAP_WAIT_MS} is read from the
 * log. All of the broker's state lives on one event loop of its own.
 */
public final class LogBroker implements Broker {
  static final long GAP_WAIT_MS = 100;
  static final int MAX_BATCH = 1000;
  private static final int READ_BATCH = 1000;
  private static final Logger log = LoggerFactory.getLogger(LogBroker.class);

  private final Vertx vertx;
  private final ContextInternal context;
  private final PublicationLog publicationLog;
  private final Fanout fanout;
  private final ChannelPolicies policies;
  private final FrameEncoder encoder;
  private final Clock clock;
  private final String self;
  private final ShardQueue[] queues;
  private final Map<String, Stream> streams = new HashMap<>();
  private final ThreadLocal<Outbox> outboxes = ThreadLocal.withInitial(Outbox::new);
  private final long seedBase = ThreadLocalRandom.current().nextLong();
  private volatile int followed;
  private long sweepTimer = -1;

  /**
   * A broker for the node whose follower id is {@code self}; {@code sweepMillis} is how often it
   * asks the log to expire idle channels (0: never).
   */
  public LogBroker(Vertx vertx, PublicationLog publicationLog, Fanout fanout, ChannelPolicies policies, FrameEncoder encoder,
      Clock clock, String self) {
    this.vertx = vertx;
    this.context = ((VertxInternal) vertx).createEventLoopContext();
    this.publicationLog = publicationLog;
    this.fanout = fanout;
    this.policies = policies;
    this.encoder = encoder;
    this.clock = clock;
    this.self = self;
    this.queues = new ShardQueue[publicationLog.shards()];
    for (int i = 0; i < queues.length; i++) queues[i] = new ShardQueue(i);
  }

  /** Starts receiving other nodes' publications, and sweeps expired channels every {@code sweepMillis} (0: never). */
  public Future<Void> start(long sweepMillis) {
    if (sweepMillis > 0) {
      context.runOnContext(v -> sweepTimer = vertx.setPeriodic(sweepMillis, id -> publicationLog.expire().whenComplete((removed, e) -> {
        if (e != null) log.debug("channel expiry sweep failed: {}", e.toString());
        else if (removed > 0) log.debug("expired {} idle channels", removed);
      })));
    }
    return fanout.start(context, this::received);
  }

  /** Stops the sweep. */
  public void stop() {
    context.runOnContext(v -> {
      if (sweepTimer >= 0) vertx.cancelTimer(sweepTimer);
    });
  }

  @Override
  public ChannelPolicies.Policy policy(String channel) {
    return policies.policy(channel);
  }

  @Override
  public int subscribedChannels() {
    return followed;
  }

  // ---- publishing ----

  @Override
  public Future<Long> publish(String channel, byte[] data) {
    Pending pending;
    if (Context.isOnEventLoopThread()) {
      ContextInternal caller = (ContextInternal) vertx.getOrCreateContext();
      pending = new Pending(channel, data, micros(), caller.promise(), caller);
      Outbox outbox = outboxes.get();
      // One hop to the broker's loop per event-loop turn, with everything the turn published.
      if (outbox.add(pending)) {
        caller.runOnContext(v -> {
          List<Pending> turn = outbox.drain();
          context.runOnContext(w -> enqueue(turn));
        });
      }
    } else {
      pending = new Pending(channel, data, micros(), Promise.promise(), null);
      context.runOnContext(v -> enqueue(List.of(pending)));
    }
    return pending.promise.future();
  }

  private long micros() {
    java.time.Instant now = clock.instant();
    return now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000;
  }

  private void enqueue(List<Pending> publications) {
    for (Pending p : publications) {
      ChannelPolicies.Policy policy = policies.policy(p.channel);
      ShardQueue queue = queues[publicationLog.shardOf(p.channel)];
      queue.waiting.add(new Request(ShardRequest.append(p.channel, p.data, p.acceptedAt, policy.size(), policy.ttlSeconds()), p, null));
    }
    for (ShardQueue queue : queues) queue.pump();
  }

  /** A publication waiting for its offset, and whom to tell. */
  private record Pending(String channel, byte[] data, long acceptedAt, Promise<Long> promise, ContextInternal caller) {}

  /** What one event-loop thread published in the current turn. */
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

  /** A request waiting in a shard's queue: an append (with its publication) or a follow/unfollow (with its stream). */
  private record Request(ShardRequest request, Pending publication, Stream stream) {}

  /** This node's requests to one shard, one batch in flight at a time. */
  private final class ShardQueue {
    final int shard;
    final ArrayDeque<Request> waiting = new ArrayDeque<>();
    boolean inFlight;
    long seq;

    ShardQueue(int shard) {
      this.shard = shard;
    }

    void pump() {
      if (inFlight || waiting.isEmpty()) return;
      int n = Math.min(waiting.size(), MAX_BATCH);
      List<Request> taken = new ArrayList<>(n);
      List<ShardRequest> requests = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        Request r = waiting.poll();
        taken.add(r);
        requests.add(r.request);
      }
      inFlight = true;
      seq++;
      ShardBatch batch = new ShardBatch(self, seq, clock.millis(), seedBase ^ (seq * 0x9E3779B97F4A7C15L) ^ shard, requests);
      publicationLog.apply(shard, batch).whenComplete((reply, failure) -> context.runOnContext(v -> {
        inFlight = false;
        if (failure != null) failed(taken, failure);
        else applied(taken, reply);
        pump();
      }));
    }
  }

  private void applied(List<Request> taken, ShardReply reply) {
    Map<ContextInternal, List<Runnable>> replies = new IdentityHashMap<>();
    Map<String, List<Delivery>> remote = new LinkedHashMap<>();
    List<Delivery> local = new ArrayList<>();
    for (int i = 0; i < taken.size(); i++) {
      Request r = taken.get(i);
      long offset = reply.offsets()[i];
      long epoch = reply.epochs()[i];
      switch (r.request.kind()) {
        case APPEND -> {
          Pending p = r.publication;
          Delivery delivery = new Delivery(p.channel, epoch, offset, p.acceptedAt, encoder.publication(p.channel, offset, p.data));
          for (String follower : reply.followers()[i]) {
            if (follower.equals(self)) local.add(delivery);
            else remote.computeIfAbsent(follower, f -> new ArrayList<>()).add(delivery);
          }
          answer(replies, p, offset);
        }
        case FOLLOW -> {
          Stream stream = streams.get(r.request.channel());
          if (stream == r.stream) stream.ready(epoch, offset + 1);
        }
        case UNFOLLOW -> { }
      }
    }
    remote.forEach(fanout::send);
    route(local);
    replies.forEach((caller, tasks) -> caller.runOnContext(v -> tasks.forEach(Runnable::run)));
  }

  private static void answer(Map<ContextInternal, List<Runnable>> replies, Pending p, long offset) {
    if (p.caller == null) {
      p.promise.complete(offset);
    } else {
      replies.computeIfAbsent(p.caller, c -> new ArrayList<>()).add(() -> p.promise.complete(offset));
    }
  }

  private void failed(List<Request> taken, Throwable failure) {
    log.warn("publication log: a batch of {} requests failed: {}", taken.size(), failure.toString());
    for (Request r : taken) {
      if (r.publication != null) {
        Pending p = r.publication;
        if (p.caller == null) p.promise.fail(failure);
        else p.caller.runOnContext(v -> p.promise.fail(failure));
      } else if (r.request.kind() == ShardRequest.Kind.FOLLOW && streams.get(r.request.channel()) == r.stream) {
        streams.remove(r.request.channel());
        followed = streams.size();
        r.stream.fail(failure);
      }
    }
  }

  // ---- following ----

  @Override
  public Future<Void> join(String channel, ChannelListener listener) {
    Promise<Void> joined = ((ContextInternal) listener.context()).promise();
    context.runOnContext(v -> {
      Stream stream = streams.get(channel);
      if (stream == null) {
        stream = new Stream(channel);
        streams.put(channel, stream);
        followed = streams.size();
        ShardQueue queue = queues[publicationLog.shardOf(channel)];
        queue.waiting.add(new Request(ShardRequest.follow(channel), null, stream));
        queue.pump();
      }
      stream.listeners.add(listener);
      if (stream.order != null) joined.complete();
      else stream.joining.add(joined);
    });
    return joined.future();
  }

  @Override
  public void leave(String channel, ChannelListener listener) {
    context.runOnContext(v -> {
      Stream stream = streams.get(channel);
      if (stream == null || !stream.listeners.remove(listener) || !stream.listeners.isEmpty()) return;
      streams.remove(channel);
      followed = streams.size();
      stream.close();
      ShardQueue queue = queues[publicationLog.shardOf(channel)];
      queue.waiting.add(new Request(ShardRequest.unfollow(channel), null, stream));
      queue.pump();
    });
  }

  @Override
  public Future<StreamPosition> position(String channel) {
    Promise<StreamPosition> position = Promise.promise();
    context.runOnContext(v -> {
      Stream stream = streams.get(channel);
      if (stream != null && stream.order != null) {
        position.complete(new StreamPosition(stream.order.next() - 1, LogShard.epochName(stream.order.epoch())));
        return;
      }
      publicationLog.positions(publicationLog.shardOf(channel), List.of(channel)).whenComplete((found, e) -> {
        if (e != null) position.fail(e);
        else {
          var p = found.get(channel);
          position.complete(p == null ? new StreamPosition(-1, LogShard.epochName(0)) : new StreamPosition(p.tail(), LogShard.epochName(p.epoch())));
        }
      });
    });
    return position.future();
  }

  @Override
  public Future<List<Publication>> history(String channel, long from, long to) {
    Promise<List<Publication>> result = Promise.promise();
    readHistory(channel, from, to, new ArrayList<>(), result);
    return result.future();
  }

  private void readHistory(String channel, long from, long to, List<Publication> out, Promise<List<Publication>> result) {
    if (from > to) {
      result.complete(out);
      return;
    }
    publicationLog.read(channel, from, (int) Math.min(READ_BATCH, to - from + 1)).whenComplete((slice, e) -> {
      if (e != null) {
        result.fail(e);
      } else if (slice == null || slice.first() > from || slice.entries().isEmpty()) {
        result.fail(new HistoryUnavailable("history of " + channel + " does not reach back to " + from
            + (slice == null ? " (the channel holds no state)" : " (it starts at " + slice.first() + ")")));
      } else {
        long last = from - 1;
        for (LogEntry entry : slice.entries()) {
          if (entry.offset() > to) break;
          out.add(new Publication(entry.offset(), encoder.publication(channel, entry.offset(), entry.data())));
          last = entry.offset();
        }
        readHistory(channel, last + 1, to, out, result);
      }
    });
  }

  // ---- receiving ----

  private void received(List<Delivery> deliveries) {
    route(deliveries);
  }

  /** Puts each delivery in its channel's order and hands what is in order to the listeners, one task per listener context. */
  private void route(List<Delivery> deliveries) {
    if (deliveries.isEmpty()) return;
    Dispatch dispatch = new Dispatch();
    for (Delivery d : deliveries) {
      Stream stream = streams.get(d.channel());
      if (stream != null) stream.offer(d, dispatch);
    }
    dispatch.run();
  }

  /** The deliveries of one routing pass, grouped by the context of the listener they go to. */
  private static final class Dispatch {
    final Map<Context, List<Runnable>> tasks = new IdentityHashMap<>();
    final List<Delivery> ordered = new ArrayList<>();

    void to(List<ChannelListener> listeners, Delivery d) {
      for (ChannelListener listener : listeners) {
        tasks.computeIfAbsent(listener.context(), c -> new ArrayList<>())
            .add(() -> listener.deliver(d.channel(), d.offset(), d.frame(), d.acceptedAtMicros()));
      }
    }

    void interrupt(List<ChannelListener> listeners, String channel, long epoch, long offset, long lost) {
      for (ChannelListener listener : listeners) {
        tasks.computeIfAbsent(listener.context(), c -> new ArrayList<>())
            .add(() -> listener.interrupted(channel, LogShard.epochName(epoch), offset, lost));
      }
    }

    void run() {
      tasks.forEach((context, list) -> context.runOnContext(v -> list.forEach(Runnable::run)));
    }
  }

  /** One followed channel on this node: its listeners and its order. */
  private final class Stream {
    final String channel;
    final List<ChannelListener> listeners = new ArrayList<>(2);
    final List<Promise<Void>> joining = new ArrayList<>(1);
    /** Null until the log answered the follow; deliveries meanwhile wait in {@link #before}. */
    ChannelOrder order;
    List<Delivery> before;
    long gapTimer = -1;
    boolean filling;
    boolean closed;

    Stream(String channel) {
      this.channel = channel;
    }

    void ready(long epoch, long next) {
      order = new ChannelOrder(epoch, next);
      joining.forEach(Promise::complete);
      joining.clear();
      if (before != null) {
        List<Delivery> waiting = before;
        before = null;
        route(waiting);
      }
    }

    void fail(Throwable failure) {
      joining.forEach(p -> p.fail(failure));
      joining.clear();
    }

    void offer(Delivery d, Dispatch dispatch) {
      if (order == null) {
        if (before == null) before = new ArrayList<>();
        before.add(d);
        return;
      }
      List<Delivery> out = dispatch.ordered;
      out.clear();
      if (order.offer(d, out)) {
        log.warn("channel {}: its log was started anew (epoch {}), continuing from offset {}", channel,
            LogShard.epochName(order.epoch()), d.offset());
        dispatch.interrupt(listeners, channel, order.epoch(), d.offset(), -1);
      }
      for (Delivery ready : out) dispatch.to(listeners, ready);
      awaitGap();
    }

    /** A gap that is still open after {@link #GAP_WAIT_MS} is read from the log. */
    void awaitGap() {
      if (order.gap() == null || gapTimer >= 0 || filling) return;
      gapTimer = vertx.setTimer(GAP_WAIT_MS, t -> {
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
      publicationLog.read(channel, from, (int) (to - from + 1)).whenComplete((slice, e) ->
          context.runOnContext(v -> {
            filling = false;
            if (closed) return;
            if (e != null) {
              log.warn("channel {}: cannot read offsets {}..{} from the log: {}", channel, from, to, e.toString());
              awaitGap();
              return;
            }
            List<Delivery> read = new ArrayList<>();
            if (slice != null && slice.epoch() == epoch) {
              for (LogEntry entry : slice.entries()) {
                read.add(new Delivery(channel, epoch, entry.offset(), entry.acceptedAtMicros(),
                    encoder.publication(channel, entry.offset(), entry.data())));
              }
            }
            Dispatch dispatch = new Dispatch();
            long lost = order.fill(from, to, read, dispatch.ordered);
            if (lost > 0) {
              log.warn("channel {}: {} publications before offset {} are no longer in the log; continuing", channel, lost,
                  dispatch.ordered.isEmpty() ? order.next() : dispatch.ordered.get(0).offset());
              dispatch.interrupt(listeners, channel, epoch, order.next(), lost);
            }
            for (Delivery d : List.copyOf(dispatch.ordered)) dispatch.to(listeners, d);
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
