package io.wsgrid.session;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.wsgrid.protocol.Command;

/** {@code unsubscribe}: no further publications of the channel reach this session. */
final class UnsubscribeHandler implements CommandHandler {
  private final LocalHub hub;

  UnsubscribeHandler(LocalHub hub) {
    this.hub = hub;
  }

  @Override
  public Future<JsonObject> handle(Session session, Command command) {
    hub.unsubscribe(command.channel(), session);
    return Future.succeededFuture();
  }
}
