package io.wsgrid.session;

import io.wsgrid.broker.Broker;
import io.wsgrid.presence.Presence;
import io.wsgrid.protocol.Op;
import java.util.EnumMap;
import java.util.Map;

/**
 * The handler of each op a session hands on: the one place an op is wired to what serves it.
 * ({@code auth} is the session's own: it changes who the session is.) An op without a handler is
 * answered {@code unknown_op}.
 */
final class Ops {
  private final Map<Op, CommandHandler> handlers = new EnumMap<>(Op.class);

  /** The handlers of protocol v1, for the sessions of {@code hub}'s event loop. */
  Ops(LocalHub hub, Broker broker, Presence presence) {
    handlers.put(Op.PING, new PingHandler());
    handlers.put(Op.SUBSCRIBE, new SubscribeHandler(hub));
    handlers.put(Op.UNSUBSCRIBE, new UnsubscribeHandler(hub));
    handlers.put(Op.PUBLISH, new PublishHandler(broker));
    handlers.put(Op.PRESENCE, new PresenceHandler(presence));
  }

  /** The handler of {@code op}, or null when this node serves no such op. */
  CommandHandler handler(Op op) {
    return handlers.get(op);
  }
}
