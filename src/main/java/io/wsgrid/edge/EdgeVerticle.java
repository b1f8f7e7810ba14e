package io.wsgrid.edge;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.NetClientOptions;
import io.vertx.ext.web.Router;
import io.wsgrid.metrics.EventLoopLag;
import io.wsgrid.metrics.OperatorEndpoints;
import io.wsgrid.security.HandshakeTimeout;
import io.wsgrid.security.HttpGuards;
import java.util.concurrent.TimeUnit;

/** One instance of the edge's HTTP server, on its own event loop; all instances share the port. */
final class EdgeVerticle extends VerticleBase {
  private final Edge edge;

  EdgeVerticle(Edge edge) {
    this.edge = edge;
  }

  @Override
  public Future<?> start() {
    EdgeSettings settings = edge.settings();
    EventLoopLag.monitor(
        context, edge.registry(), settings.name(), Thread.currentThread().getName());
    Router router = Router.router(vertx);
    OperatorEndpoints.mount(router, edge.registry(), edge::isReady);
    // The browser client, from the jar's webroot/ (it reconnects and recovers: see wsgrid.js).
    router
        .get("/wsgrid.js")
        .handler(
            ctx ->
                ctx.response()
                    .putHeader("content-type", "text/javascript; charset=utf-8")
                    .sendFile("webroot/wsgrid.js"));
    // The live dashboard and the chat demo: plain pages from the jar's webroot/, no build step.
    router
        .get("/")
        .handler(
            ctx ->
                ctx.response()
                    .putHeader("content-type", "text/html; charset=utf-8")
                    .sendFile("webroot/dashboard.html"));
    router
        .get("/demo")
        .handler(
            ctx ->
                ctx.response()
                    .putHeader("content-type", "text/html; charset=utf-8")
                    .sendFile("webroot/demo.html"));
    router
        .route("/admin/*")
        .handler(HttpGuards.adminToken(settings.adminToken(), edge.rejections()));
    router.get("/admin/stream").handler(edge.dashboard()::stream);
    router.post("/admin/nodes/:id/drain").handler(edge.dashboard()::drain);
    RegistryApi api = new RegistryApi(edge.picker(), edge.view(), edge.metrics());
    router.get("/admin/nodes").handler(api::nodes);
    router.post("/admin/rebalance").handler(edge.rebalancer()::handle);
    if (settings.modes().contains(EdgeSettings.Mode.ASSIGN)) {
      router.get("/assign").handler(api::assign);
    }
    WebSocketTunnel tunnel = null;
    if (settings.modes().contains(EdgeSettings.Mode.PROXY)) {
      // Upgrades go to the node over this event loop's own client, so both halves of a tunnel
      // live on one thread.
      var client =
          vertx.createNetClient(
              new NetClientOptions().setConnectTimeout(2_000).setTcpNoDelay(true));
      // Nodes that serve wss:// are reached over TLS, trusting --tls-ca (or the JVM's store).
      var tlsClient =
          vertx.createNetClient(
              settings
                  .tls()
                  .client(new NetClientOptions().setConnectTimeout(2_000).setTcpNoDelay(true)));
      tunnel =
          new WebSocketTunnel(
              vertx,
              client,
              tlsClient,
              edge.picker(),
              edge.metrics(),
              edge.openTunnels(),
              settings.maxAttempts());
      router
          .get("/ws")
          .handler(
              ctx ->
                  ctx.response()
                      .setStatusCode(400)
                      .end(
                          "GET /ws needs a WebSocket upgrade (Connection: Upgrade, Upgrade: websocket)\n"));
    }
    router
        .route()
        .last()
        .handler(
            ctx ->
                ctx.response()
                    .setStatusCode(404)
                    .putHeader("content-type", "text/plain")
                    .end(
                        "no such endpoint on the edge: WebSocket clients use /ws"
                            + (settings.modes().contains(EdgeSettings.Mode.ASSIGN)
                                ? " (or GET /assign for a node URL)"
                                : "")
                            + "; operators / (dashboard), /admin/nodes, /metrics, /ready\n"));
    // Upgrades to /ws skip the router (a routing context per handshake, for one route), and HTTP/2
    // cleartext detection is off: every connection would pay for a handler that sniffs its first
    // bytes and rebuilds the pipeline, for a protocol no WebSocket client speaks.
    WebSocketTunnel upgrades = tunnel;
    HttpServer server =
        vertx.createHttpServer(
            settings
                .tls()
                .apply(
                    new HttpServerOptions()
                        .setTcpNoDelay(true)
                        .setIdleTimeout(0)
                        .setHttp2ClearTextEnabled(false)
                        .setSslHandshakeTimeout(settings.handshakeTimeoutSeconds())
                        .setSslHandshakeTimeoutUnit(TimeUnit.SECONDS)));
    // Connections that never finish their request are closed (a tunnelled socket is timed until its
    // 101).
    HandshakeTimeout.install(vertx, server, settings.handshakeTimeoutSeconds(), edge.rejections());
    return server
        .requestHandler(
            request -> {
              if (upgrades != null
                  && "/ws".equals(request.path())
                  && request.canUpgradeToWebSocket()) upgrades.handle(request);
              else router.handle(request);
            })
        .listen(settings.port(), settings.host());
  }
}
