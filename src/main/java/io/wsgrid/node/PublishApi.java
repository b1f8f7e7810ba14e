package io.wsgrid.node;

import io.vertx.core.Handler;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.wsgrid.broker.Broker;
import io.wsgrid.protocol.ChannelName;
import io.wsgrid.protocol.ErrorCode;
import io.wsgrid.protocol.ProtocolError;

/** {@code POST /api/publish {"channel":…,"data":…}} → {@code {"offset":n}}: publishing from a backend. */
final class PublishApi implements Handler<RoutingContext> {
  private final Broker broker;

  PublishApi(Broker broker) {
    this.broker = broker;
  }

  @Override
  public void handle(RoutingContext ctx) {
    JsonObject body;
    try {
      body = ctx.body().asJsonObject();
    } catch (RuntimeException e) {
      body = null;
    }
    if (body == null) {
      reject(ctx, 400, new ProtocolError(ErrorCode.BAD_REQUEST, "body must be a JSON object {\"channel\":…,\"data\":…}"));
      return;
    }
    String channel;
    try {
      if (body.getValue("channel") != null && !(body.getValue("channel") instanceof String)) {
        throw new ProtocolError(ErrorCode.BAD_CHANNEL, "channel must be a string");
      }
      channel = ChannelName.require(body.getString("channel"));
      if (!body.containsKey("data")) throw new ProtocolError(ErrorCode.BAD_REQUEST, "publish needs data");
    } catch (ProtocolError e) {
      reject(ctx, 400, e);
      return;
    }
    broker.publish(channel, body.getValue("data"))
        .onSuccess(offset -> ctx.json(new JsonObject().put("offset", offset)))
        .onFailure(e -> reject(ctx, 503,
            new ProtocolError(ErrorCode.INTERNAL, "the cluster did not take the publication (" + e.getMessage() + "); retry")));
  }

  static void reject(RoutingContext ctx, int status, ProtocolError error) {
    ctx.response().setStatusCode(status).putHeader("content-type", "application/json")
        .end(new JsonObject().put("error",
            new JsonObject().put("code", error.code().wire()).put("message", error.getMessage())).encode());
  }
}
