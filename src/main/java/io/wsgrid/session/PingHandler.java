package io.wsgrid.session;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.wsgrid.protocol.Command;

/** {@code ping}: an application-level liveness check, answered {@code ok}. */
final class PingHandler implements CommandHandler {
  @Override
  public Future<JsonObject> handle(Session session, Command command) {
    return Future.succeededFuture();
  }
}
