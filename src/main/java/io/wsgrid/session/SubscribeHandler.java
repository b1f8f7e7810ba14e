package io.wsgrid.session;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.wsgrid.protocol.Command;

/**
 * {@code subscribe}: joins the channel on this node (recovering from {@code since}); the reply
 * comes once publications flow.
 */
final class SubscribeHandler implements CommandHandler {
  private final LocalHub hub;

  SubscribeHandler(LocalHub hub) {
    this.hub = hub;
  }

  @Override
  public Future<JsonObject> handle(Session session, Command command) {
    return hub.subscribe(command.channel(), session, command.since());
  }
}
