package io.wsgrid.session;

import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.wsgrid.broker.Broker;
import io.wsgrid.broker.ChannelListener;
import io.wsgrid.broker.HistoryUnavailable;
import io.wsgrid.broker.Publication;
import io.wsgrid.metrics.NodeMetrics;
import io.wsgrid.presence.Presence;
import io.wsgrid.protocol.ErrorCode;
import io.wsgrid.protocol.ProtocolError;
import io.wsgrid.protocol.StreamPosition;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * The channels the sessions of one event loop subscribed to, and who subscribed. Everything here
 * runs on that event loop, so nothing is locked; the broker sees the hub as one listener per
 * channel, and the hub writes each publication's shared frame to its local subscribers.
 */
final class LocalHub implements ChannelListener {
  private final Context context;
  private final Broker broker;
  private final Presence presence;
  private final NodeMetrics metrics;
  private final Map<String, Members> channels = new HashMap<>();

  LocalHub(Context context, Broker broker, Presence presence, NodeMetrics metrics) {
    this.context = context;
    this.broker = broker;
    this.presence = presence;
    this.metrics = metrics;
  }

  @Override
  public Context context() {
    return context;
  }

  /** The subscribers here of each channel whose name passes {@code filter}. */
  Map<String, Integer> counts(Predicate<String> filter) {
    Map<String, Integer> counts = new HashMap<>();
    channels.forEach(
        (name, members) -> {
          if (filter.test(name)) counts.put(name, members.active.size() + members.waiting.size());
        });
    return counts;
  }

  /** Takes a closed session out of every channel it subscribed to. */
  void leaveAll(Session session) {
    for (String channel : session.channels()) {
      removeMember(channel, session);
    }
    metrics.subscriptionsChanged(-session.channels().size());
  }

  /**
   * Joins the session to the channel. Until its reply has gone out, the session's live publications
   * wait in a buffer; for a channel with history (or a {@code since}) the channel's position is
   * read and what the client missed replayed. The reply ({@code epoch}, {@code offset}, {@code
   * recovered}) goes out first, then the replay, then the buffered live publications above the last
   * replayed offset: no gap, no repeat.
   */
  Future<JsonObject> subscribe(String channel, Session session, StreamPosition since) {
    if (!session.addChannel(channel)) return Future.succeededFuture();
    metrics.subscriptionsChanged(1);
    Members members = channels.get(channel);
    if (members == null) {
      members = new Members(broker.join(channel, this));
      channels.put(channel, members);
    }
    Members joinedOn = members;
    joinedOn.waiting.put(session, new ArrayList<>());
    boolean positioned = since != null || broker.policy(channel).hasHistory();
    // Presence first: the reply must be the last step, since the replay is scheduled right behind
    // it.
    return joinedOn
        .joined
        .compose(v -> presence.join(channel, session.id(), session.user()))
        .compose(
            v ->
                positioned
                    ? recover(channel, session, joinedOn, since)
                    : Future.succeededFuture(whenReplied(joinedOn, session, null, List.of(), -1)))
        .recover(
            e -> {
              if (session.removeChannel(channel)) {
                metrics.subscriptionsChanged(-1);
                removeMember(channel, session);
              }
              return Future.failedFuture(
                  e instanceof ProtocolError
                      ? e
                      : new ProtocolError(
                          ErrorCode.UNAVAILABLE,
                          "the cluster did not take the subscription ("
                              + e.getMessage()
                              + "); try again"));
            });
  }

  private Future<JsonObject> recover(
      String channel, Session session, Members members, StreamPosition since) {
    boolean hasHistory = broker.policy(channel).hasHistory();
    return broker
        .position(channel)
        .compose(
            position -> {
              JsonObject reply =
                  new JsonObject().put("epoch", position.epoch()).put("offset", position.offset());
              if (since == null) {
                return Future.succeededFuture(
                    whenReplied(members, session, reply, List.of(), position.offset()));
              }
              boolean sameEpoch = hasHistory && since.epoch().equals(position.epoch());
              if (!sameEpoch || since.offset() >= position.offset()) {
                boolean upToDate = sameEpoch && since.offset() >= position.offset();
                return Future.succeededFuture(
                    whenReplied(
                        members,
                        session,
                        reply.put("recovered", upToDate),
                        List.of(),
                        position.offset()));
              }
              return broker
                  .history(channel, since.offset() + 1, position.offset())
                  .map(
                      replay ->
                          whenReplied(
                              members,
                              session,
                              reply.put("recovered", true),
                              replay,
                              position.offset()))
                  .recover(
                      e ->
                          e instanceof HistoryUnavailable
                              ? Future.succeededFuture(
                                  whenReplied(
                                      members,
                                      session,
                                      reply.put("recovered", false),
                                      List.of(),
                                      position.offset()))
                              : Future.failedFuture(e));
            });
  }

  /**
   * Once the session's reply has gone out: the replay, then the buffered live publications above
   * {@code upTo} (and above the replay); then the session is live. Returns {@code reply}.
   */
  private JsonObject whenReplied(
      Members members, Session session, JsonObject reply, List<Publication> replay, long upTo) {
    session.afterReplies(
        () -> {
          List<Publication> buffered = members.waiting.remove(session);
          if (buffered == null) return; // unsubscribed or closed meanwhile
          long last = upTo;
          for (Publication publication : replay) {
            session.push(publication.frame());
            last = publication.offset();
          }
          metrics.delivered(replay.size());
          for (Publication publication : buffered) {
            if (publication.offset() > last) {
              session.push(publication.frame());
              last = publication.offset();
              metrics.delivered(1);
            }
          }
          // This node's stream may still deliver offsets the replay already covered: skip up to
          // there.
          if (last >= 0) members.floors.put(session, last);
          members.active.add(session);
        });
    return reply;
  }

  void unsubscribe(String channel, Session session) {
    if (!session.removeChannel(channel)) return;
    metrics.subscriptionsChanged(-1);
    removeMember(channel, session);
  }

  private void removeMember(String channel, Session session) {
    presence.leave(channel, session.id());
    Members members = channels.get(channel);
    if (members == null) return;
    members.active.remove(session);
    members.waiting.remove(session);
    members.floors.remove(session);
    if (members.active.isEmpty() && members.waiting.isEmpty()) {
      channels.remove(channel);
      broker.leave(channel, this);
    }
  }

  @Override
  public void deliver(String channel, long offset, Buffer frame, long acceptedAtMicros) {
    Members members = channels.get(channel);
    if (members == null) return;
    if (!members.waiting.isEmpty()) {
      Publication publication = new Publication(offset, frame);
      members.waiting.values().forEach(buffer -> buffer.add(publication));
    }
    if (members.active.isEmpty()) return;
    int written = 0;
    boolean floors = !members.floors.isEmpty();
    for (Session session : members.active) {
      if (floors && isAtOrBelowFloor(members, session, offset)) continue;
      if (session.push(frame)) written++;
    }
    metrics.delivered(written);
    metrics.deliveryLatency(acceptedAtMicros);
  }

  /**
   * The channel's order could not be continued on this node (its log started anew, or publications
   * are gone): its subscribers here are closed with 1012, so that they reconnect and subscribe with
   * {@code since}, which tells them honestly whether they recovered ({@code recovered:false} and
   * the new epoch) instead of going on over a hole.
   */
  @Override
  public void interrupted(String channel, String epoch, long offset, long lost) {
    Members members = channels.get(channel);
    if (members == null) return;
    List<Session> affected = new ArrayList<>(members.active);
    affected.addAll(members.waiting.keySet());
    String reason = "channel " + channel + " lost its order; reconnect and subscribe with since";
    if (reason.length() > 120)
      reason = "a channel lost its order; reconnect and subscribe with since";
    for (Session session : affected) session.close(WebSocketCloseStatus.SERVICE_RESTART, reason);
  }

  /**
   * True when the session already has {@code offset} (from its replay); the floor goes once passed.
   */
  private static boolean isAtOrBelowFloor(Members members, Session session, long offset) {
    Long floor = members.floors.get(session);
    if (floor == null) return false;
    if (offset <= floor) return true;
    members.floors.remove(session);
    return false;
  }

  private static final class Members {
    final Set<Session> active = new LinkedHashSet<>();

    /**
     * Sessions whose subscribe reply has not gone out yet, with the live publications meanwhile.
     */
    final Map<Session, List<Publication>> waiting = new HashMap<>();

    /** Recovered sessions and the last offset they were given, until live delivery passes it. */
    final Map<Session, Long> floors = new HashMap<>();

    final Future<Void> joined;

    Members(Future<Void> joined) {
      this.joined = joined;
    }
  }
}
