package io.wsgrid.session;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.wsgrid.protocol.Command;
import io.wsgrid.protocol.ProtocolError;

/**
 * Handles one op of protocol v1 for a session (wired to its op in {@link Ops}). Called on the
 * session's event loop; must not block. Completes with the fields to add to the {@code ok} reply
 * (null for none), or fails with a {@link ProtocolError} that becomes the {@code error} reply.
 */
interface CommandHandler {
  Future<JsonObject> handle(Session session, Command command);
}
