package io.wsgrid.session;

import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.JsonObject;
import io.wsgrid.broker.Broker;
import io.wsgrid.metrics.NodeMetrics;
import io.wsgrid.presence.Presence;
import io.wsgrid.security.Identity;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Predicate;

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
   * The subscribers on this loop of each channel whose name passes {@code filter}. Call on {@link
   * #context()}.
   */
  public Map<String, Integer> channels(Predicate<String> filter) {
    return hub.counts(filter);
  }

  /**
   * Closes the open sessions of {@code user} with {@code status}; returns how many. Call on {@link
   * #context()}.
   */
  public int disconnect(String user, WebSocketCloseStatus status) {
    int closed = 0;
    for (Session session : of(user)) {
      session.close(status, status.reasonText());
      closed++;
    }
    return closed;
  }

  /**
   * Subscribes the open sessions of {@code user} that are not yet subscribed to {@code channel} and
   * under {@code --max-subscriptions}, as their own {@code subscribe} would (without a reply);
   * completes with how many it subscribed. Call on {@link #context()}.
   */
  public Future<Integer> subscribe(String user, String channel) {
    List<Future<JsonObject>> joins = new ArrayList<>();
    for (Session session : of(user)) {
      if (session.channels().contains(channel)
          || session.channels().size() >= settings.limits().maxSubscriptions()) continue;
      joins.add(hub.subscribe(channel, session, null));
    }
    return Future.join(joins)
        .transform(
            ar -> Future.succeededFuture((int) joins.stream().filter(Future::succeeded).count()));
  }

  /**
   * Unsubscribes the sessions of {@code user} from {@code channel}; returns how many were
   * subscribed. Call on {@link #context()}.
   */
  public int unsubscribe(String user, String channel) {
    int left = 0;
    for (Session session : of(user)) {
      if (!session.channels().contains(channel)) continue;
      hub.unsubscribe(channel, session);
      left++;
    }
    return left;
  }

  private List<Session> of(String user) {
    List<Session> found = new ArrayList<>();
    for (Session session : sessions) {
      if (session.isOpen() && user.equals(session.user())) found.add(session);
    }
    return found;
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
