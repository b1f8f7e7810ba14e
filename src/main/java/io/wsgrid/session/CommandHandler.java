package io.wsgrid.session;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.wsgrid.protocol.Command;

/**
 * Handles one op of protocol v1 for a session. Called on the session's event loop; must not
 * block. Completes with the fields to add to the {@code ok} reply (null for none), or fails with
 * a {@link io.wsgrid.protocol.ProtocolError} that becomes the {@code error} reply.
 */
public interface CommandHandler {
  Future<JsonObject> handle(Session session, Command command);
}
