package io.wsgrid.node;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;
import io.wsgrid.metrics.OperatorEndpoints;
import io.wsgrid.security.HandshakeTimeout;
import io.wsgrid.security.HttpGuards;
import io.wsgrid.session.BoundedInflation;
import io.wsgrid.session.LocalSessions;
import java.util.concurrent.TimeUnit;

/** One WebSocket server instance of a node, on its own event loop; all instances share the port. */
final class NodeVerticle extends VerticleBase {
  private final Node node;

  NodeVerticle(Node node) {
    this.node = node;
  }

  @Override
  public Future<?> start() {
    NodeSettings settings = node.settings();
    LocalSessions sessions = node.newSessions(context);
    Router router = Router.router(vertx);
    OperatorEndpoints.mount(router, node.registry(), node::isReady);
    // The browser client, from the jar's webroot/ (it reconnects and recovers: see wsgrid.js).
    router
        .get("/wsgrid.js")
        .handler(
            ctx ->
                ctx.response()
                    .putHeader("content-type", "text/javascript; charset=utf-8")
                    .sendFile("webroot/wsgrid.js"));
    var auth = settings.security().auth();
    // The guards are routes of their own, ahead of any body handler: a refused request's body is
    // never read. Bodies are bounded by --max-frame-size, and file uploads are off (nothing on
    // disk).
    router.route("/api/*").handler(HttpGuards.apiKey(auth.apiKey(), node.rejections()));
    router
        .post("/api/:method")
        .handler(BodyHandler.create(false).setBodyLimit(settings.maxFrameSize()))
        .handler(node.serverApi());
    router.get("/stats").handler(ctx -> ctx.json(node.metrics().stats()));
    router.route("/admin/*").handler(HttpGuards.adminToken(auth.adminToken(), node.rejections()));
    router
        .post("/admin/drain")
        .handler(
            ctx -> {
              ctx.response().setStatusCode(202).end(EdgeRequests.DRAINING);
              node.stop();
            });
    // A plain GET /ws (no upgrade) gets a hint; upgrades never reach the router (see below).
    router
        .get("/ws")
        .handler(
            ctx ->
                ctx.response()
                    .setStatusCode(400)
                    .end(
                        "GET /ws needs a WebSocket upgrade (Connection: Upgrade, Upgrade: websocket)\n"));
    HttpServerOptions options =
        settings
            .security()
            .tls()
            .apply(new HttpServerOptions())
            .setMaxWebSocketFrameSize(settings.maxFrameSize())
            .setMaxWebSocketMessageSize(settings.maxFrameSize())
            .setIdleTimeout(0)
            .setSslHandshakeTimeout(settings.handshakeTimeoutSeconds())
            .setSslHandshakeTimeoutUnit(TimeUnit.SECONDS)
            // No HTTP/2 cleartext detection: a handler that sniffs each connection's first bytes
            // and
            // rebuilds its pipeline, for a protocol no WebSocket client speaks.
            .setHttp2ClearTextEnabled(false)
            // Every handler here answers on its own event loop, so Vert.x may write to the channel
            // directly instead of through a per-connection multi-producer queue: that queue's 4 KiB
            // array stays allocated for each socket's whole life (measured with bench idle).
            .setStrictThreadMode(true);
    // Upgrades bypass the router: a socket accepted via RoutingContext keeps the context, request
    // and response objects alive for its whole life (measured: ~3 KiB more heap per idle socket).
    // Admission decides each upgrade, and can answer a refusal with a JSON body saying why.
    Admission admission = node.admission();
    HttpServer server = vertx.createHttpServer(options);
    // Compressed frames inflate to at most --max-frame-size (+1 byte, to tell "over" from "at").
    HandshakeTimeout.install(
        vertx,
        server,
        settings.handshakeTimeoutSeconds(),
        node.rejections(),
        connection -> BoundedInflation.install(connection, options, settings.maxFrameSize()));
    return server
        .requestHandler(
            request -> {
              if (Admission.isUpgrade(request)) admission.handle(request, sessions);
              else router.handle(request);
            })
        .listen(settings.port(), settings.host())
        .recover(
            e ->
                Future.failedFuture(
                    settings.security().tls().enabled()
                        ? new IllegalStateException(
                            e.getMessage()
                                + " (check --tls-cert and --tls-key: PEM certificate and its PEM private key)",
                            e)
                        : e));
  }
}
