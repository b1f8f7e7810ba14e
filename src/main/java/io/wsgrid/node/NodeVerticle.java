package io.wsgrid.node;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;
import io.wsgrid.metrics.OperatorEndpoints;
import io.wsgrid.session.LocalHub;
import io.wsgrid.session.Session;
import java.util.UUID;

/** One WebSocket server instance of a node, on its own event loop; all instances share the port. */
final class NodeVerticle extends VerticleBase {
  private final Node node;

  NodeVerticle(Node node) {
    this.node = node;
  }

  @Override
  public Future<?> start() {
    NodeSettings settings = node.settings();
    LocalHub hub = node.newHub(context);
    Router router = Router.router(vertx);
    OperatorEndpoints.mount(router, node.registry(), node::isReady);
    // The browser client, from the jar's webroot/ (it reconnects and recovers: see wsgrid.js).
    router.get("/wsgrid.js").handler(ctx -> ctx.response()
        .putHeader("content-type", "text/javascript; charset=utf-8").sendFile("webroot/wsgrid.js"));
    router.post("/api/publish").handler(BodyHandler.create().setBodyLimit(settings.maxFrameSize()))
        .handler(new PublishApi(node.broker()));
    router.post("/admin/drain").handler(ctx -> {
      ctx.response().setStatusCode(202).end("draining: closing sockets with 1001, then leaving the cluster\n");
      node.stop();
    });
    router.get("/ws").handler(ctx -> {
      if (!ctx.request().canUpgradeToWebSocket()) {
        ctx.response().setStatusCode(400).end("GET /ws needs a WebSocket upgrade (Connection: Upgrade, Upgrade: websocket)\n");
        return;
      }
      if (!node.isReady()) {
        ctx.response().setStatusCode(503).end("node " + settings.name() + " is draining: connect through the edge or to another node\n");
        return;
      }
      ctx.request().toWebSocket()
          .onSuccess(socket -> new Session(socket, UUID.randomUUID().toString(), hub).start());
    });
    HttpServerOptions options = new HttpServerOptions()
        .setMaxWebSocketFrameSize(settings.maxFrameSize())
        .setMaxWebSocketMessageSize(settings.maxFrameSize())
        .setIdleTimeout(0);
    return vertx.createHttpServer(options).requestHandler(router).listen(settings.port(), settings.host());
  }
}
