package io.wsgrid.edge;

import com.hazelcast.cluster.Member;
import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.core.HazelcastInstance;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/**
 * Several edges balance as one: each tells the others over the event bus about every socket it
 * routes (when it picks the node, when the node admits it with its number, or when it never got
 * there), and counts theirs as pending in its own {@link NodePicker}. Without it an edge sees
 * another edge's sockets only once the node's registry entry shows them, a tick (100 ms) and more
 * later, and in that time every edge sends its new sockets to the same least-loaded node (300
 * serial connects alternating over two edges left two nodes more than one socket apart after half
 * of them). Nothing is sent while this edge is the cluster's only one (the only lite member).
 *
 * <p>Messages, published on {@link #ADDRESS}: {@code {"edge","id","node","event"}} with event
 * {@code routed} (and {@code admission} {@link NodePicker#IN_FLIGHT} or {@link
 * NodePicker#UNNUMBERED} with {@code expected}), {@code admitted} (with {@code admission}), or
 * {@code unrouted}. A peer's route that hears nothing more (the peer died) goes after {@link
 * NodePicker#PENDING_MAX_MS} like any other.
 */
final class PeerRoutes implements NodePicker.RouteListener {
  static final String ADDRESS = "wsgrid.edge.routes";

  private final Vertx vertx;
  private final NodePicker picker;
  private final HazelcastInstance hazelcast;
  private final String self = UUID.randomUUID().toString();

  /**
   * The other edges' routes still waiting for a message, by edge and id; touched only on the
   * consumer's event loop.
   */
  private final Map<String, Peer> peers = new LinkedHashMap<>();

  private volatile boolean alone;
  private UUID membership;
  private MessageConsumer<JsonObject> consumer;

  private record Peer(String node, NodePicker.Routed routed) {}

  PeerRoutes(Vertx vertx, NodePicker picker, HazelcastInstance hazelcast) {
    this.vertx = vertx;
    this.picker = picker;
    this.hazelcast = hazelcast;
  }

  /**
   * Listens to the other edges and starts telling them; completes once the consumer is registered
   * cluster-wide.
   */
  Future<Void> start() {
    membership =
        hazelcast
            .getCluster()
            .addMembershipListener(
                new MembershipListener() {
                  @Override
                  public void memberAdded(MembershipEvent event) {
                    countEdges();
                  }

                  @Override
                  public void memberRemoved(MembershipEvent event) {
                    countEdges();
                  }
                });
    countEdges();
    consumer = vertx.eventBus().consumer(ADDRESS, this::received);
    picker.listener(this);
    return consumer.completion();
  }

  void stop() {
    picker.listener(NodePicker.RouteListener.NONE);
    if (membership != null) hazelcast.getCluster().removeMembershipListener(membership);
    if (consumer != null) consumer.unregister();
  }

  private void countEdges() {
    alone = hazelcast.getCluster().getMembers().stream().filter(Member::isLiteMember).count() <= 1;
  }

  @Override
  public void routed(String node, NodePicker.Routed routed) {
    if (!alone)
      publish(
          message(node, routed, "routed")
              .put("admission", routed.admission)
              .put("expected", routed.expected));
  }

  @Override
  public void admitted(String node, NodePicker.Routed routed) {
    if (!alone) publish(message(node, routed, "admitted").put("admission", routed.admission));
  }

  @Override
  public void unrouted(String node, NodePicker.Routed routed) {
    if (!alone) publish(message(node, routed, "unrouted"));
  }

  private JsonObject message(String node, NodePicker.Routed routed, String event) {
    return new JsonObject()
        .put("edge", self)
        .put("id", routed.id)
        .put("node", node)
        .put("event", event);
  }

  private void publish(JsonObject message) {
    vertx.eventBus().publish(ADDRESS, message);
  }

  private void received(Message<JsonObject> message) {
    JsonObject body = message.body();
    String edge = body.getString("edge");
    if (self.equals(edge) || edge == null) return;
    String node = body.getString("node");
    String key = edge + "/" + body.getLong("id", 0L);
    dropExpired();
    switch (body.getString("event", "")) {
      case "routed" ->
          peers.put(
              key,
              new Peer(
                  node,
                  picker.peerRouted(
                      node,
                      body.getLong("admission", NodePicker.UNNUMBERED),
                      body.getLong("expected", 0L))));
      case "admitted" -> {
        Peer peer = peers.remove(key);
        if (peer != null)
          picker.peerAdmitted(
              peer.node(), peer.routed(), body.getLong("admission", NodePicker.UNNUMBERED));
      }
      case "unrouted" -> {
        Peer peer = peers.remove(key);
        if (peer != null) picker.peerUnrouted(peer.node(), peer.routed());
      }
      default -> {} // from a newer edge: ignore what this one does not know
    }
  }

  /**
   * Routes whose peer never said more (it died): the picker dropped them after PENDING_MAX_MS, so
   * does this map.
   */
  private void dropExpired() {
    long limit = System.currentTimeMillis() - NodePicker.PENDING_MAX_MS;
    for (Iterator<Peer> it = peers.values().iterator(); it.hasNext(); ) {
      if (it.next().routed().routedAt >= limit) break;
      it.remove();
    }
  }
}
