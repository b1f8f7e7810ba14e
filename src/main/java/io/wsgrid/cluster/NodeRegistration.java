package io.wsgrid.cluster;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps this node's entry in {@code wsgrid.nodes}: written at start, within 100 ms of a change in
 * its connection count (coalesced: one write per tick however many sockets came and went), as a
 * heartbeat every {@link #HEARTBEAT_MS}, and with a TTL so the entry of a process that vanished
 * without leaving expires by itself. Each write names the member that owns the entry as it is at
 * that moment, and a new member id (this member rejoined after a pause or a partition, see {@link
 * LocalMember}) is written within a tick, so edges take the node back. Writes are asynchronous;
 * none blocks an event loop.
 */
public final class NodeRegistration {
  public static final long TICK_MS = 100;
  public static final long HEARTBEAT_MS = 2_000;
  public static final long TTL_MS = 10_000;
  private static final Logger log = LoggerFactory.getLogger(NodeRegistration.class);

  private final Vertx vertx;
  private final IMap<String, String> map;
  private final String id;
  private final String wsUrl;
  private final String httpUrl;
  private final int weight;
  private final LocalMember member;

  /**
   * {sockets admitted and not closed, admissions so far}, read together (see
   * NodeEntry#ADMISSION_HEADER).
   */
  private final Supplier<long[]> counts;

  private volatile NodeEntry.State state = NodeEntry.State.UP;
  private long timer = -1;
  private long lastConnections = -1;
  private long lastAdmissions = -1;
  private NodeEntry.State lastState;
  private String lastMember;
  private long lastWriteAt;
  private boolean writing;

  public NodeRegistration(
      Vertx vertx,
      HazelcastInstance hazelcast,
      LocalMember member,
      String id,
      String wsUrl,
      String httpUrl,
      int weight,
      Supplier<long[]> counts) {
    this.vertx = vertx;
    this.map = hazelcast.getMap(NodeEntry.MAP);
    this.id = id;
    this.wsUrl = wsUrl;
    this.httpUrl = httpUrl;
    this.weight = weight;
    this.member = member;
    this.counts = counts;
  }

  /** Writes the entry and starts the tick; completes once the first write is in the map. */
  public Future<Void> start() {
    return write().onSuccess(v -> timer = vertx.setPeriodic(TICK_MS, t -> tick()));
  }

  /** Marks the node DRAINING and writes it at once: edges stop routing to it. */
  public Future<Void> drain() {
    state = NodeEntry.State.DRAINING;
    return write();
  }

  /** Stops the heartbeat and removes the entry. */
  public Future<Void> stop() {
    if (timer >= 0) vertx.cancelTimer(timer);
    timer = -1;
    try {
      return Future.fromCompletionStage(map.removeAsync(id))
          .<Void>mapEmpty()
          .recover(e -> Future.succeededFuture());
    } catch (
        RuntimeException
            e) { // the member is already gone: its entry goes with it (TTL, membership)
      return Future.succeededFuture();
    }
  }

  private void tick() {
    // Nothing is written while the member rejoins: the node refuses sockets until it has (see
    // Node#isReady).
    if (writing || member.isMerging()) return;
    long now = System.currentTimeMillis();
    long[] registered = counts.get();
    // A new admission is written even when a close left the count unchanged: edges wait for it.
    if (registered[0] != lastConnections
        || registered[1] != lastAdmissions
        || state != lastState
        || !member.id().equals(lastMember)
        || now - lastWriteAt >= HEARTBEAT_MS) {
      write();
    }
  }

  private Future<Void> write() {
    writing = true;
    long now = System.currentTimeMillis();
    long[] registered = counts.get();
    long count = registered[0];
    NodeEntry.State current = state;
    String owner = member.id();
    NodeEntry entry =
        new NodeEntry(id, wsUrl, httpUrl, weight, count, registered[1], current, now, owner);
    Future<Void> put;
    try {
      put =
          Future.fromCompletionStage(
                  map.putAsync(id, entry.toJson().encode(), TTL_MS, TimeUnit.MILLISECONDS),
                  vertx.getOrCreateContext())
              .mapEmpty();
    } catch (RuntimeException e) { // the member is shutting down or gone
      put = Future.failedFuture(e);
    }
    return put.onComplete(
        ar -> {
          writing = false;
          if (ar.succeeded()) {
            lastConnections = count;
            lastAdmissions = registered[1];
            lastState = current;
            lastMember = owner;
            lastWriteAt = now;
          } else {
            log.warn(
                "registry: cannot write the entry of {}: {} (retrying)", id, ar.cause().toString());
          }
        });
  }
}
