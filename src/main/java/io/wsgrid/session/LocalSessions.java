package io.wsgrid.session;

import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.vertx.core.Context;
import io.vertx.core.http.ServerWebSocket;
import io.wsgrid.broker.Broker;
import io.wsgrid.metrics.NodeMetrics;
import io.wsgrid.presence.Presence;
import io.wsgrid.security.Identity;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * The sessions open on one event loop: starts each with what it works with (its loop's {@link
 * LocalHub}, the op handlers, the settings, the meters), looks at them once a second (pings, idle
 * and auth deadlines, token expiry), and closes some or all for a drain or a rebalance. Everything
 * here runs on that event loop.
 */
public final class LocalSessions {
  private final Context context;
  private final LocalHub hub;
  private final Ops ops;
  private final SessionSettings settings;
  private final NodeMetrics metrics;
  private final Set<Session> sessions = new LinkedHashSet<>();

  /** The sessions of {@code context}'s event loop, with its hub of channels. */
  public LocalSessions(
      Context context,
      Broker broker,
      Presence presence,
      NodeMetrics metrics,
      SessionSettings settings) {
    this.context = context;
    this.hub = new LocalHub(context, broker, presence, metrics);
    this.ops = new Ops(hub, broker, presence);
    this.settings = settings;
    this.metrics = metrics;
    if (settings.needsSweep()) {
      // One timer per event loop, not per socket.
      context.runOnContext(
          v -> context.owner().setPeriodic(1000, id -> sweep(System.currentTimeMillis())));
    }
  }

  /** The event loop's context. */
  public Context context() {
    return context;
  }

  /**
   * Starts a session on an accepted socket for {@code identity}; null means it must send {@code
   * auth} first. Call on {@link #context()}.
   */
  public void open(ServerWebSocket socket, Identity identity) {
    new Session(socket, UUID.randomUUID().toString(), identity, this, ops, settings, metrics)
        .start();
  }

  private void sweep(long now) {
    for (Session session : List.copyOf(sessions)) session.sweep(now);
  }

  void opened(Session session) {
    sessions.add(session);
    metrics.connectionOpened();
  }

  void closed(Session session) {
    if (!sessions.remove(session)) return;
    metrics.connectionClosed();
    hub.leaveAll(session);
  }

  /**
   * Closes up to {@code count} sessions with {@code status} and {@code reason}; returns how many it
   * closed. Call on {@link #context()}.
   */
  public int closeSome(int count, WebSocketCloseStatus status, String reason) {
    int closed = 0;
    for (Session session : List.copyOf(sessions)) {
      if (closed >= count) break;
      if (!session.isOpen()) continue; // closing already: counting it again would shed too few
      session.close(status, reason);
      closed++;
    }
    return closed;
  }
}
