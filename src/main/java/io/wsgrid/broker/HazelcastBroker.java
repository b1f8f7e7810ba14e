package io.wsgrid.broker;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import com.hazelcast.ringbuffer.OverflowPolicy;
import com.hazelcast.ringbuffer.ReadResultSet;
import com.hazelcast.ringbuffer.Ringbuffer;
import com.hazelcast.ringbuffer.StaleSequenceException;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import io.wsgrid.metrics.NodeMetrics;
import io.wsgrid.protocol.ProtocolCodec;
import io.wsgrid.protocol.StreamPosition;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The broker on Hazelcast: a channel's offsets come from its Hazelcast ring buffer (the sequence
 * its partition owner assigns, with a backup on another member), and the publication then fans
 * out over the clustered event bus, one address per channel, as {@code offset, acceptedAt, frame}.
 * Each node writes a channel to its sockets strictly in offset order: a publication that arrives
 * early waits for the gap, which is read from the ring if it does not arrive within
 * {@link #GAP_WAIT_MS}. The ring doubles as the channel's history, and the channel's epoch lives
 * in the map {@code wsgrid.epochs} on the same partition, so both survive the loss of any one
 * member and are lost together (then a new epoch starts).
 */
public final class HazelcastBroker implements Broker {
  public static final String ADDRESS_PREFIX = "wsgrid.ch.";
  public static final String RING_PREFIX = "wsgrid.h";
  public static final String EPOCHS = "wsgrid.epochs";
  static final long GAP_WAIT_MS = 100;
  private static final int READ_BATCH = 1000;
  /** Envelope header: offset, acceptedAt (micros), publication id. */
  private static final int HEADER = 24;
  /** Ids remembered per channel per node to drop a publication appended twice. */
  private static final int RECENT_IDS = 4096;
  private static final Logger log = LoggerFactory.getLogger(HazelcastBroker.class);

  private final Vertx vertx;
  private final EventBus eventBus;
  private final HazelcastInstance hazelcast;
  private final ChannelPolicies policies;
  private final IMap<String, String> epochs;
  private final Map<String, ChannelStream> channels = new HashMap<>();
  private final Map<String, PublishQueue> publishing = new HashMap<>();
  /** Publication ids: a random per-process prefix and a counter, so a retried append can be told apart. */
  private final long idPrefix = (java.util.concurrent.ThreadLocalRandom.current().nextLong() & 0xFFFFFFL) << 40;
  private final java.util.concurrent.atomic.AtomicLong idCounter = new java.util.concurrent.atomic.AtomicLong();

  public HazelcastBroker(Vertx vertx, HazelcastInstance hazelcast, ChannelPolicies policies) {
    this.vertx = vertx;
    this.eventBus = vertx.eventBus();
    this.hazelcast = hazelcast;
    this.policies = policies;
    this.epochs = hazelcast.getMap(EPOCHS);
  }

  /** Adds the ring buffer configs of the channel policies (capacity, TTL, one backup) to a member's config. */
  public static void configure(com.hazelcast.config.Config config, ChannelPolicies policies) {
    config.addRingBufferConfig(new com.hazelcast.config.RingbufferConfig(ringConfigName(-1))
        .setCapacity(ChannelPolicies.ORDERING_WINDOW).setTimeToLiveSeconds(ChannelPolicies.ORDERING_TTL_SECONDS).setBackupCount(1));
    for (int i = 0; i < policies.all().size(); i++) {
      ChannelPolicies.Policy policy = policies.all().get(i);
      config.addRingBufferConfig(new com.hazelcast.config.RingbufferConfig(ringConfigName(i))
          .setCapacity(ChannelPolicies.capacity(policy)).setTimeToLiveSeconds(ChannelPolicies.ttlSeconds(policy)).setBackupCount(1));
    }
  }

  public static String address(String channel) {
    return ADDRESS_PREFIX + channel;
  }

  /**
   * The ring of a channel: named after the index of its policy (so its Hazelcast config is that
   * policy's, see {@link #ringConfigName}), placed on the partition of the channel's name.
   */
  private Ringbuffer<String> ring(String channel) {
    return hazelcast.getRingbuffer(ringConfigName(policyIndex(channel)).replace("*", channel) + "@" + channel);
  }

  /** The Hazelcast ring buffer config name (a wildcard) for policy {@code index}; -1 for channels without one. */
  public static String ringConfigName(int index) {
    return RING_PREFIX + (index < 0 ? "" : String.valueOf(index)) + ".*";
  }

  private int policyIndex(String channel) {
    ChannelPolicies.Policy policy = policies.policy(channel);
    return policies.all().indexOf(policy);
  }

  @Override
  public ChannelPolicies.Policy policy(String channel) {
    return policies.policy(channel);
  }

  @Override
  public Future<Long> publish(String channel, Object data) {
    long acceptedAt = NodeMetrics.nowMicros();
    Promise<Long> offset = Promise.promise();
    Context context = vertx.getOrCreateContext();
    PublishQueue queue;
    synchronized (publishing) {
      queue = publishing.computeIfAbsent(channel, PublishQueue::new);
    }
    queue.add(new Pending(data, acceptedAt, idPrefix | (idCounter.incrementAndGet() & 0xFFFFFFFFFFL), context, offset));
    return offset.future();
  }

  /** A publication waiting for its offset. */
  private record Pending(Object data, long acceptedAt, long id, Context context, Promise<Long> offset) {}

  /**
   * A node's publications to one channel, appended to the ring in the order the node accepted
   * them: one append in flight at a time, and whatever arrives meanwhile goes in the next as one
   * batch ({@code addAllAsync} gives a batch consecutive sequences). Concurrent single appends
   * could overtake each other on their way to the partition owner and reorder one publisher.
   */
  private final class PublishQueue {
    final String channel;
    final List<Pending> waiting = new ArrayList<>();
    boolean inFlight;
    /** The channel's ring proxy, got once off the event loop: creating it is a blocking cluster call. */
    volatile Ringbuffer<String> ring;

    PublishQueue(String channel) {
      this.channel = channel;
    }

    void add(Pending pending) {
      synchronized (this) {
        waiting.add(pending);
        if (inFlight) return;
        inFlight = true;
      }
      flush();
    }

    void flush() {
      if (ring == null) {
        // The first publication of a channel on this node: a blocking proxy creation that
        // measured ~200 ms under load would stall every socket of the event loop.
        vertx.executeBlocking(() -> ring(channel), false).onComplete(ar -> {
          if (ar.succeeded()) {
            ring = ar.result();
            flush();
            return;
          }
          List<Pending> failed;
          synchronized (this) {
            failed = new ArrayList<>(waiting);
            waiting.clear();
            inFlight = false;
          }
          for (Pending p : failed) p.context().runOnContext(v -> p.offset().fail(ar.cause()));
        });
        return;
      }
      List<Pending> batch;
      synchronized (this) {
        if (waiting.isEmpty()) {
          inFlight = false;
          return;
        }
        batch = new ArrayList<>(waiting.subList(0, Math.min(waiting.size(), READ_BATCH)));
        waiting.subList(0, batch.size()).clear();
      }
      List<String> items = new ArrayList<>(batch.size());
      for (Pending p : batch) items.add(new JsonObject().put("t", p.acceptedAt()).put("p", p.id()).put("d", p.data()).encode());
      ring.addAllAsync(items, OverflowPolicy.OVERWRITE).whenComplete((last, failure) -> {
        for (int i = 0; i < batch.size(); i++) {
          Pending p = batch.get(i);
          if (failure != null) {
            p.context().runOnContext(v -> p.offset().fail(failure));
            continue;
          }
          long offset = last - batch.size() + 1 + i;
          Buffer frame = ProtocolCodec.publication(channel, offset, p.data());
          eventBus.publish(address(channel), Buffer.buffer(HEADER + frame.length())
              .appendLong(offset).appendLong(p.acceptedAt()).appendLong(p.id()).appendBuffer(frame));
          p.context().runOnContext(v -> p.offset().complete(offset));
        }
        flush();
      });
    }
  }

  @Override
  public Future<Void> join(String channel, ChannelListener listener) {
    synchronized (channels) {
      ChannelStream stream = channels.get(channel);
      if (stream == null) {
        stream = new ChannelStream(channel, listener.context());
        channels.put(channel, stream);
      }
      stream.listeners.add(listener);
      Promise<Void> joined = Promise.promise();
      Context context = listener.context();
      stream.ready.onComplete(ar -> context.runOnContext(v -> joined.handle(ar)));
      return joined.future();
    }
  }

  @Override
  public void leave(String channel, ChannelListener listener) {
    synchronized (channels) {
      ChannelStream stream = channels.get(channel);
      if (stream == null || !stream.listeners.remove(listener)) return;
      if (stream.listeners.isEmpty()) {
        channels.remove(channel);
        stream.close();
      }
    }
  }

  @Override
  public int subscribedChannels() {
    synchronized (channels) {
      return channels.size();
    }
  }

  @Override
  public Future<StreamPosition> position(String channel) {
    return vertx.executeBlocking(() -> {
      String fresh = "e" + UUID.randomUUID().toString().substring(0, 8);
      String existing = epochs.putIfAbsent(channel, fresh);
      return new StreamPosition(ring(channel).tailSequence(), existing == null ? fresh : existing);
    }, false);
  }

  @Override
  public Future<List<Publication>> history(String channel, long from, long to) {
    return vertx.executeBlocking(() -> {
      Ringbuffer<String> ring = ring(channel);
      if (from < ring.headSequence()) {
        throw new HistoryUnavailable("history of " + channel + " starts at " + ring.headSequence() + ", after " + from);
      }
      List<Publication> out = new ArrayList<>();
      java.util.Set<Long> ids = new java.util.HashSet<>();
      long next = from;
      while (next <= to) {
        int count = (int) Math.min(READ_BATCH, to - next + 1);
        ReadResultSet<String> batch;
        try {
          batch = ring.readManyAsync(next, 0, count, null).toCompletableFuture().get();
        } catch (java.util.concurrent.ExecutionException e) {
          if (e.getCause() instanceof StaleSequenceException) {
            throw new HistoryUnavailable("history of " + channel + " was trimmed past " + next);
          }
          throw e;
        }
        if (batch.size() == 0) break;
        for (int i = 0; i < batch.size(); i++) {
          long offset = batch.getSequence(i);
          if (offset != next) throw new HistoryUnavailable("history of " + channel + " has a hole at " + next);
          if (ids.add(id(batch.get(i)))) out.add(new Publication(offset, frame(channel, offset, batch.get(i))));
          next = offset + 1;
        }
      }
      return out;
    }, false);
  }

  private static Buffer frame(String channel, long offset, String item) {
    return ProtocolCodec.publication(channel, offset, new JsonObject(item).getValue("d"));
  }

  private static long id(String item) {
    return new JsonObject(item).getLong("p", 0L);
  }

  private static long acceptedAt(String item) {
    return new JsonObject(item).getLong("t", NodeMetrics.nowMicros());
  }

  /**
   * One channel on this node: its event-bus consumer and its ordering. Runs on the context of the
   * listener that joined first; {@link #next} is the offset it delivers next.
   */
  private final class ChannelStream {
    final String channel;
    final Context context;
    final List<ChannelListener> listeners = new CopyOnWriteArrayList<>();
    final MessageConsumer<Buffer> consumer;
    final Future<Void> ready;
    final TreeMap<Long, Buffer> early = new TreeMap<>();
    /** Recently delivered publication ids: Hazelcast may append a retried batch twice during a membership change. */
    final java.util.LinkedHashSet<Long> recent = new java.util.LinkedHashSet<>();
    long next = -1;
    long gapTimer = -1;
    boolean filling;
    boolean closed;

    ChannelStream(String channel, Context context) {
      this.channel = channel;
      this.context = context;
      Promise<Void> started = Promise.promise();
      this.ready = started.future();
      this.consumer = eventBus.consumer(address(channel));
      consumer.handler(message -> onMessage(message.body()));
      // Registered first, then the ring's tail read: everything after the tail reaches us.
      context.runOnContext(v -> consumer.completion()
          .compose(x -> vertx.executeBlocking(() -> ring(channel).tailSequence(), false))
          .onComplete(ar -> context.runOnContext(w -> {
            if (ar.failed()) {
              started.fail(ar.cause());
              return;
            }
            next = ar.result() + 1;
            early.headMap(next).clear();
            drain();
            started.complete();
          })));
    }

    void onMessage(Buffer envelope) {
      long offset = envelope.getLong(0);
      if (next >= 0 && offset < next) return; // already delivered (or before this node joined)
      early.put(offset, envelope);
      if (next >= 0) drain();
    }

    void drain() {
      early.headMap(next).clear(); // filled from the ring meanwhile
      Buffer envelope;
      while ((envelope = early.remove(next)) != null) {
        dispatchOnce(next, envelope.getLong(16), envelope.slice(HEADER, envelope.length()), envelope.getLong(8));
        next++;
      }
      if (!early.isEmpty() && gapTimer < 0 && !filling) {
        gapTimer = vertx.setTimer(GAP_WAIT_MS, t -> {
          gapTimer = -1;
          fillGap();
        });
      }
    }

    /** The publications between {@link #next} and the first early one did not come: read them from the ring. */
    void fillGap() {
      if (closed || early.isEmpty()) return;
      long to = early.firstKey() - 1;
      if (to < next) {
        drain();
        return;
      }
      filling = true;
      long from = next;
      Ringbuffer<String> ring = ring(channel);
      Future.fromCompletionStage(ring.readManyAsync(from, 0, (int) Math.min(READ_BATCH, to - from + 1), null), context)
          .onComplete(ar -> {
            filling = false;
            if (closed) return;
            if (ar.succeeded()) {
              ReadResultSet<String> batch = ar.result();
              for (int i = 0; i < batch.size(); i++) {
                long offset = batch.getSequence(i);
                if (offset < next || offset > to) continue;
                if (offset > next) skip(offset);
                dispatchOnce(offset, id(batch.get(i)), frame(channel, offset, batch.get(i)), acceptedAt(batch.get(i)));
                next = offset + 1;
              }
              if (batch.size() == 0) skip(to + 1);
            } else if (ar.cause() instanceof StaleSequenceException) {
              skip(Math.min(to + 1, early.firstKey()));
            } else {
              log.warn("channel {}: cannot read offsets {}..{} from history: {}", channel, from, to, ar.cause().toString());
            }
            drain();
          });
    }

    void skip(long to) {
      log.warn("channel {}: offsets {}..{} were lost with a member; continuing at {}", channel, next, to - 1, to);
      next = to;
    }

    /** Delivers unless the same publication (by id) was delivered already under another offset. */
    void dispatchOnce(long offset, long id, Buffer frame, long acceptedAt) {
      if (id != 0) {
        if (!recent.add(id)) {
          log.warn("channel {}: offset {} repeats a publication appended twice (a retry during a membership change); dropped",
              channel, offset);
          return;
        }
        if (recent.size() > RECENT_IDS) {
          var oldest = recent.iterator();
          oldest.next();
          oldest.remove();
        }
      }
      dispatch(offset, frame, acceptedAt);
    }

    void dispatch(long offset, Buffer frame, long acceptedAt) {
      for (ChannelListener listener : listeners) {
        Context target = listener.context();
        if (target == context) {
          listener.deliver(channel, offset, frame, acceptedAt);
        } else {
          target.runOnContext(v -> listener.deliver(channel, offset, frame, acceptedAt));
        }
      }
    }

    void close() {
      context.runOnContext(v -> {
        closed = true;
        if (gapTimer >= 0) vertx.cancelTimer(gapTimer);
        consumer.unregister();
      });
    }
  }
}
