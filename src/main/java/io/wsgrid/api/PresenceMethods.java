package io.wsgrid.api;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.wsgrid.presence.Presence;
import io.wsgrid.protocol.ErrorCode;
import io.wsgrid.protocol.ProtocolError;
import java.util.HashSet;
import java.util.Set;

/**
 * {@code presence {channel}}: every client subscribed to the channel across the cluster ({@code
 * {"client","user","node"}}, no {@code user} for an anonymous one); {@code presence_stats
 * {channel}}: how many clients and distinct users.
 */
final class PresenceMethods {
  private final Presence presence;

  PresenceMethods(Presence presence) {
    this.presence = presence;
  }

  Future<Buffer> presence(byte[] body) {
    return clients("presence", body).map(c -> new JsonObject().put("clients", c).toBuffer());
  }

  Future<Buffer> stats(byte[] body) {
    return clients("presence_stats", body)
        .map(
            clients -> {
              Set<String> users = new HashSet<>();
              for (Object client : clients) {
                String user = ((JsonObject) client).getString("user");
                if (user != null) users.add(user);
              }
              return new JsonObject()
                  .put("clients", clients.size())
                  .put("users", users.size())
                  .toBuffer();
            });
  }

  private Future<JsonArray> clients(String method, byte[] body) {
    String channel = ApiBody.of(method, body).channel();
    return presence
        .list(channel)
        .recover(
            e ->
                Future.failedFuture(
                    new ProtocolError(
                        ErrorCode.UNAVAILABLE,
                        "the cluster could not list the presence of "
                            + channel
                            + " ("
                            + e.getMessage()
                            + "); retry")));
  }
}
