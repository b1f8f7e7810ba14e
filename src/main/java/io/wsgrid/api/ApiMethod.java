package io.wsgrid.api;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;

/**
 * One method of the server API: takes the request body, completes with the JSON reply, or fails
 * with a {@link io.wsgrid.protocol.ProtocolError} whose code gives the HTTP status. Called on the
 * event loop of the request; must not block it.
 */
@FunctionalInterface
interface ApiMethod {
  Future<Buffer> call(byte[] body);
}
