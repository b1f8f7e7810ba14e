package io.wsgrid.session;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.wsgrid.broker.Broker;
import io.wsgrid.broker.ChannelListener;
import io.wsgrid.metrics.NodeMetrics;
import io.wsgrid.protocol.ErrorCode;
import io.wsgrid.protocol.Op;
import io.wsgrid.protocol.ProtocolError;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The sessions of one WebSocket verticle instance and their channels. Everything here runs on
 * that instance's event loop, so nothing is locked; the broker sees the hub as one listener per
 * channel, and the hub writes each publication's shared frame to its local subscribers.
 */
public final class LocalHub implements ChannelListener {
  private final Context context;
  private final Broker broker;
  private final NodeMetrics metrics;
  private final String nodeName;
  private final SessionLimits limits;
  private final Map<Op, CommandHandler> handlers = new EnumMap<>(Op.class);
  private final Map<String, Members> channels = new HashMap<>();
  private final Set<Session> sessions = new LinkedHashSet<>();

  public LocalHub(Context context, Broker broker, NodeMetrics metrics, String nodeName, SessionLimits limits) {
    this.context = context;
    this.broker = broker;
    this.metrics = metrics;
    this.nodeName = nodeName;
    this.limits = limits;
    handlers.put(Op.PING, new PingHandler());
    handlers.put(Op.SUBSCRIBE, new SubscribeHandler());
    handlers.put(Op.UNSUBSCRIBE, new UnsubscribeHandler());
    handlers.put(Op.PUBLISH, new PublishHandler(broker));
  }

  @Override
  public Context context() {
    return context;
  }

  String nodeName() {
    return nodeName;
  }

  SessionLimits limits() {
    return limits;
  }

  NodeMetrics metrics() {
    return metrics;
  }

  CommandHandler handler(Op op) {
    return handlers.get(op);
  }

  void opened(Session session) {
    sessions.add(session);
    metrics.connectionOpened();
  }

  void closed(Session session) {
    if (!sessions.remove(session)) return;
    metrics.connectionClosed();
    for (String channel : session.channels()) {
      removeMember(channel, session);
    }
    metrics.subscriptionsChanged(-session.channels().size());
  }

  /** The sessions open on this instance. */
  public int size() {
    return sessions.size();
  }

  /** Closes every session with {@code code} and {@code reason}; completes when all are closed. */
  public Future<Void> closeAll(short code, String reason) {
    List<Future<Void>> closing = new ArrayList<>();
    for (Session session : List.copyOf(sessions)) {
      closing.add(session.close(code, reason));
    }
    return Future.join(closing).mapEmpty();
  }

  Future<Void> subscribe(String channel, Session session) {
    if (!session.addChannel(channel)) return Future.succeededFuture();
    metrics.subscriptionsChanged(1);
    Members members = channels.get(channel);
    if (members == null) {
      members = new Members(broker.join(channel, this));
      channels.put(channel, members);
    }
    if (members.joined.succeeded()) {
      members.active.add(session);
      return Future.succeededFuture();
    }
    Members pendingOn = members;
    pendingOn.pending.add(session);
    return pendingOn.joined.transform(ar -> {
      if (ar.succeeded()) {
        if (pendingOn.pending.remove(session)) pendingOn.active.add(session);
        return Future.succeededFuture();
      }
      if (session.removeChannel(channel)) {
        metrics.subscriptionsChanged(-1);
        removeMember(channel, session);
      }
      return Future.failedFuture(new ProtocolError(ErrorCode.INTERNAL,
          "the cluster did not take the subscription (" + ar.cause().getMessage() + "); try again"));
    });
  }

  void unsubscribe(String channel, Session session) {
    if (!session.removeChannel(channel)) return;
    metrics.subscriptionsChanged(-1);
    removeMember(channel, session);
  }

  private void removeMember(String channel, Session session) {
    Members members = channels.get(channel);
    if (members == null) return;
    members.active.remove(session);
    members.pending.remove(session);
    if (members.active.isEmpty() && members.pending.isEmpty()) {
      channels.remove(channel);
      broker.leave(channel, this);
    }
  }

  @Override
  public void deliver(String channel, Buffer frame, long acceptedAtMicros) {
    Members members = channels.get(channel);
    if (members == null || members.active.isEmpty()) return;
    int written = 0;
    for (Session session : members.active) {
      if (session.push(frame)) written++;
    }
    metrics.delivered(written);
    metrics.deliveryLatency(acceptedAtMicros);
  }

  private static final class Members {
    final Set<Session> active = new LinkedHashSet<>();
    final Set<Session> pending = new LinkedHashSet<>();
    final Future<Void> joined;

    Members(Future<Void> joined) {
      this.joined = joined;
    }
  }
}
