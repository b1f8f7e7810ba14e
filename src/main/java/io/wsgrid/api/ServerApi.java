package io.wsgrid.api;

import com.hazelcast.config.Config;
import io.vertx.core.AsyncResult;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.RoutingContext;
import io.wsgrid.broker.Broker;
import io.wsgrid.presence.Presence;
import io.wsgrid.protocol.ErrorCode;
import io.wsgrid.protocol.ProtocolError;
import io.wsgrid.security.HttpGuards;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /api/<method>}: the server API of every node, JSON in, JSON out. Mounted behind
 * {@link HttpGuards#apiKey} and a bounded body handler; the method table is here, the methods in
 * the classes beside it. An error answers {@code {"error":{"code":…,"message":…}}} with the status
 * its code stands for; an unknown method is a 404 {@code unknown_op} that lists the methods.
 */
public final class ServerApi implements Handler<RoutingContext> {
  private static final Logger log = LoggerFactory.getLogger(ServerApi.class);

  private final Map<String, ApiMethod> methods = new LinkedHashMap<>();

  /** The API over this node's broker, presence and the nodes {@code nodes} reaches. */
  public ServerApi(
      Vertx vertx,
      com.hazelcast.core.HazelcastInstance hazelcast,
      Broker broker,
      Presence presence,
      NodeCalls nodes) {
    PublishMethods publishing = new PublishMethods(broker, new Idempotency(vertx, hazelcast));
    methods.put("publish", publishing::publish);
    methods.put("broadcast", publishing::broadcast);
    methods.put("batch", publishing::batch);
    methods.put("history", new HistoryMethod(broker)::call);
    PresenceMethods presences = new PresenceMethods(presence);
    methods.put("presence", presences::presence);
    methods.put("presence_stats", presences::stats);
    ClusterMethods cluster = new ClusterMethods(nodes);
    methods.put("channels", cluster::channels);
    methods.put("info", cluster::info);
    methods.put("disconnect", cluster::disconnect);
    methods.put("subscribe", cluster::subscribe);
    methods.put("unsubscribe", cluster::unsubscribe);
  }

  /** What the API keeps in the cluster: the idempotency window's map. */
  public static void configure(Config config) {
    Idempotency.configure(config);
  }

  @Override
  public void handle(RoutingContext ctx) {
    String name = ctx.pathParam("method");
    ApiMethod method = methods.get(name);
    if (method == null) {
      fail(
          ctx,
          new ProtocolError(
              ErrorCode.UNKNOWN_OP,
              "unknown method '"
                  + (name.length() > 40 ? name.substring(0, 40) + "…" : name)
                  + "': POST /api/<method> with one of "
                  + String.join(", ", methods.keySet())));
      return;
    }
    Buffer body = ctx.body().buffer();
    Future<Buffer> reply;
    try {
      reply = method.call(body == null ? new byte[0] : body.getBytes());
    } catch (RuntimeException e) {
      reply = Future.failedFuture(e);
    }
    // The answer is written on the request's event loop (the server runs in strict thread mode),
    // wherever the method completed (a broker or Hazelcast thread, another loop).
    Context context = Vertx.currentContext();
    reply.onComplete(
        ar -> {
          if (Vertx.currentContext() == context) answer(ctx, ar);
          else context.runOnContext(v -> answer(ctx, ar));
        });
  }

  private static void answer(RoutingContext ctx, AsyncResult<Buffer> reply) {
    if (reply.failed()) {
      fail(ctx, reply.cause());
    } else if (!ctx.response().ended()) {
      ctx.response().putHeader("content-type", "application/json").end(reply.result());
    }
  }

  private static void fail(RoutingContext ctx, Throwable failure) {
    ProtocolError error;
    if (failure instanceof ProtocolError e) {
      error = e;
    } else {
      log.warn("server API {} failed: {}", ctx.request().path(), failure.toString());
      error =
          new ProtocolError(ErrorCode.INTERNAL, "the node could not handle the call; try again");
    }
    if (ctx.response().ended()) return;
    int status = status(error.code());
    if (status == 503) ctx.response().putHeader("Retry-After", "1");
    HttpGuards.sendError(ctx.response(), status, error.code().wire(), error.getMessage());
  }

  /** The HTTP status of an error code. */
  static int status(ErrorCode code) {
    return switch (code) {
      case BAD_REQUEST, BAD_CHANNEL -> 400;
      case UNAUTHORIZED -> 401;
      case FORBIDDEN -> 403;
      case UNKNOWN_OP -> 404;
      case TOO_LARGE -> 413;
      case RATE_LIMITED -> 429;
      case UNAVAILABLE -> 503;
      case INTERNAL -> 500;
    };
  }
}
