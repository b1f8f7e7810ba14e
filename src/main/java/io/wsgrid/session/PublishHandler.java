package io.wsgrid.session;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.wsgrid.broker.Broker;
import io.wsgrid.protocol.Command;

/** {@code publish} from a client: hands the data to the broker; the reply carries its offset. */
final class PublishHandler implements CommandHandler {
  private final Broker broker;

  PublishHandler(Broker broker) {
    this.broker = broker;
  }

  @Override
  public Future<JsonObject> handle(Session session, Command command) {
    return broker
        .publish(command.channel(), command.data().bytes())
        .map(offset -> new JsonObject().put("offset", offset));
  }
}
