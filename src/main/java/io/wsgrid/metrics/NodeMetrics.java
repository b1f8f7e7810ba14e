package io.wsgrid.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.CountAtBucket;
import io.micrometer.core.instrument.distribution.HistogramSnapshot;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The meters of one node. Hot-path counts are {@link LongAdder}s read by function counters, so that
 * delivering a frame to a socket costs one uncontended add, safe from every event loop.
 */
public final class NodeMetrics {
  private final AtomicLong connections = new AtomicLong();
  private final AtomicLong subscriptions = new AtomicLong();
  private final LongAdder received = new LongAdder();
  private final LongAdder delivered = new LongAdder();
  private final LongAdder slowConsumerDisconnects = new LongAdder();
  private final Timer publishDelivery;
  private final MeterRegistry registry;
  private final String node;

  public NodeMetrics(MeterRegistry registry, String node) {
    this.registry = registry;
    this.node = node;
    Gauge.builder(MeterNames.CONNECTIONS, connections, AtomicLong::get)
        .description("WebSocket connections open on this node")
        .tag(MeterNames.TAG_NODE, node)
        .register(registry);
    Gauge.builder(MeterNames.SUBSCRIPTIONS, subscriptions, AtomicLong::get)
        .description("channel subscriptions held by this node's connections")
        .tag(MeterNames.TAG_NODE, node)
        .register(registry);
    FunctionCounter.builder(MeterNames.MESSAGES_RECEIVED, received, LongAdder::sum)
        .description("requests received from this node's clients")
        .tag(MeterNames.TAG_NODE, node)
        .register(registry);
    FunctionCounter.builder(MeterNames.MESSAGES_DELIVERED, delivered, LongAdder::sum)
        .description("publication frames written to this node's sockets")
        .tag(MeterNames.TAG_NODE, node)
        .register(registry);
    FunctionCounter.builder(
            MeterNames.SLOW_CONSUMER_DISCONNECTS, slowConsumerDisconnects, LongAdder::sum)
        .description("sockets closed because their write queue stayed over the bound")
        .tag(MeterNames.TAG_NODE, node)
        .register(registry);
    publishDelivery =
        Timer.builder(MeterNames.PUBLISH_DELIVERY)
            .description(
                "from a publication accepted (any node) to its frame written to this node's sockets")
            .tag(MeterNames.TAG_NODE, node)
            .publishPercentileHistogram()
            .minimumExpectedValue(Duration.ofMillis(1))
            .maximumExpectedValue(Duration.ofSeconds(10))
            .register(registry);
  }

  /** Guarded by this: see {@link #admitted()}. */
  private long registered;

  private long admissions;

  public void connectionOpened() {
    connections.incrementAndGet();
  }

  public void connectionClosed() {
    connections.decrementAndGet();
    synchronized (this) {
      registered--;
    }
  }

  /**
   * A handshake was admitted: from now on the node registers it (as a socket once it opens, until
   * it closes). Returns its admission number, which an entry whose {@code admissions} is at least
   * that number includes: count and number change together under this object's lock.
   */
  public synchronized long admitted() {
    registered++;
    return ++admissions;
  }

  /** An admitted handshake did not become a socket. */
  public synchronized void admissionFailed() {
    registered--;
  }

  /**
   * What the node registers, read together: {sockets admitted and not closed, admissions so far}.
   */
  public synchronized long[] registered() {
    return new long[] {registered, admissions};
  }

  public long connections() {
    return connections.get();
  }

  /** Channel subscriptions held by this node's connections. */
  public long subscriptions() {
    return subscriptions.get();
  }

  public void subscriptionsChanged(int delta) {
    subscriptions.addAndGet(delta);
  }

  public void received() {
    received.increment();
  }

  public void delivered(int frames) {
    delivered.add(frames);
  }

  public void slowConsumerDisconnected() {
    slowConsumerDisconnects.increment();
  }

  /**
   * The node's self-check repaired its delivery path ({@code gap}, {@code epoch} or {@code
   * consumer}).
   */
  public void selfCheckRepaired(String kind) {
    Counter.builder(MeterNames.SELF_CHECK_REPAIRS)
        .description(
            "what the node's self-check repaired in its delivery path: a gap read from the log, a channel restarted under a new epoch, the fan-out registered again")
        .tag(MeterNames.TAG_NODE, node)
        .tag(MeterNames.TAG_KIND, kind)
        .register(registry)
        .increment();
  }

  /**
   * Records one delivery latency, from the publication's acceptance time (epoch microseconds, same
   * clock).
   */
  public void deliveryLatency(long acceptedAtMicros) {
    long elapsed = nowMicros() - acceptedAtMicros;
    publishDelivery.record(Math.max(0, elapsed), TimeUnit.MICROSECONDS);
  }

  private double[] lastBuckets = new double[0];
  private long lastCount;

  /**
   * The node's numbers for the edge's live dashboard ({@code GET /stats}): counts, and the delivery
   * p99 over the deliveries since the previous call (from the histogram's bucket counts; the upper
   * bound of the bucket it falls in, in ms; 0 when nothing was delivered).
   */
  public synchronized JsonObject stats() {
    HistogramSnapshot snapshot = publishDelivery.takeSnapshot();
    CountAtBucket[] buckets = snapshot.histogramCounts();
    double[] now = new double[buckets.length];
    for (int i = 0; i < buckets.length; i++) now[i] = buckets[i].count();
    double p99 = 0;
    if (lastBuckets.length == now.length && now.length > 0) {
      double total = snapshot.count() - lastCount;
      for (int i = 0; i < now.length && total > 0; i++) {
        if (now[i] - lastBuckets[i] >= 0.99 * total) {
          p99 = buckets[i].bucket(TimeUnit.MILLISECONDS);
          break;
        }
      }
    }
    lastBuckets = now;
    lastCount = snapshot.count();
    return new JsonObject()
        .put("connections", connections.get())
        .put("subscriptions", subscriptions.get())
        .put("received", received.sum())
        .put("delivered", delivered.sum())
        .put("slowConsumerDisconnects", slowConsumerDisconnects.sum())
        .put("deliveryP99Ms", p99);
  }

  /** Wall-clock time in epoch microseconds: comparable between processes on one machine. */
  public static long nowMicros() {
    Instant now = Instant.now();
    return now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000;
  }
}
