package io.wsgrid.node;

import io.vertx.core.Handler;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.wsgrid.broker.Broker;
import io.wsgrid.protocol.ErrorCode;
import io.wsgrid.protocol.ProtocolCodec;
import io.wsgrid.protocol.ProtocolError;
import io.wsgrid.security.HttpGuards;

/**
 * {@code POST /api/publish {"channel":…,"data":…}} → {@code {"offset":n}}: publishing from a
 * backend.
 */
final class PublishApi implements Handler<RoutingContext> {
  private final Broker broker;

  PublishApi(Broker broker) {
    this.broker = broker;
  }

  @Override
  public void handle(RoutingContext ctx) {
    ProtocolCodec.PublishRequest request;
    try {
      request =
          ProtocolCodec.parsePublish(
              ctx.body().buffer() == null ? new byte[0] : ctx.body().buffer().getBytes());
    } catch (ProtocolError e) {
      reject(ctx, 400, e);
      return;
    }
    broker
        .publish(request.channel(), request.data().bytes())
        .onSuccess(offset -> ctx.json(new JsonObject().put("offset", offset)))
        .onFailure(
            e ->
                reject(
                    ctx,
                    503,
                    e instanceof ProtocolError error
                        ? error
                        : new ProtocolError(
                            ErrorCode.UNAVAILABLE,
                            "the cluster did not take the publication ("
                                + e.getMessage()
                                + "); retry")));
  }

  private static void reject(RoutingContext ctx, int status, ProtocolError error) {
    HttpGuards.sendError(ctx.response(), status, error.code().wire(), error.getMessage());
  }
}
