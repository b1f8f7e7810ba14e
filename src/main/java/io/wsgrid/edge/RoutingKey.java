package io.wsgrid.edge;

import io.vertx.core.http.HttpServerRequest;

/**
 * The key consistent hashing routes on: the {@code ?key=} query parameter, else the client's
 * address.
 */
final class RoutingKey {
  private RoutingKey() {}

  static String of(HttpServerRequest request) {
    String key = request.getParam("key");
    if (key != null && !key.isEmpty()) return key;
    return request.remoteAddress() == null ? "" : request.remoteAddress().hostAddress();
  }
}
