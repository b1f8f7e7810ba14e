package io.wsgrid.session;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.wsgrid.presence.Presence;
import io.wsgrid.protocol.Command;

/** {@code presence}: the clients subscribed to the channel across the cluster. */
final class PresenceHandler implements CommandHandler {
  private final Presence presence;

  PresenceHandler(Presence presence) {
    this.presence = presence;
  }

  @Override
  public Future<JsonObject> handle(Session session, Command command) {
    return presence
        .list(command.channel())
        .map(clients -> new JsonObject().put("clients", clients));
  }
}
