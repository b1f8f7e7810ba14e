package io.wsgrid.node;

import io.vertx.core.Future;
import io.vertx.core.http.HttpServerRequest;
import io.wsgrid.cluster.NodeEntry;
import io.wsgrid.security.HttpGuards;
import io.wsgrid.security.Identity;
import io.wsgrid.security.Refusal;
import io.wsgrid.session.LocalSessions;
import io.wsgrid.session.SessionLimits;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Decides each WebSocket upgrade on a node before it becomes a socket: the path, whether the node
 * takes sockets (not draining, under {@code --max-connections} and {@code
 * --max-pending-handshakes}), the browser's Origin, and the {@code ?token=}. A refusal is an HTTP
 * status with a JSON error saying why and what to do (503s send the edge to another node); it is
 * counted and logged. A socket with no token is accepted as anonymous, or, when tokens are
 * required, must send {@code {"op":"auth"}} within {@code --auth-timeout}.
 */
final class Admission {
  private final Node node;
  private final AtomicInteger pending;

  Admission(Node node, AtomicInteger pending) {
    this.node = node;
    this.pending = pending;
  }

  static boolean isUpgrade(HttpServerRequest request) {
    return "websocket".equalsIgnoreCase(request.getHeader("Upgrade"));
  }

  void handle(HttpServerRequest request, LocalSessions sessions) {
    NodeSettings settings = node.settings();
    SessionLimits limits = settings.limits();
    String who = who(request);
    if (!"/ws".equals(request.path())) {
      refuse(
          request,
          new Refusal(
              404, "bad_request", "not_found", "WebSocket endpoint is /ws, not " + request.path()),
          who,
          false);
      return;
    }
    if (!node.isReady()) {
      refuse(
          request,
          Refusal.unavailable(
              "draining",
              "node "
                  + node.name()
                  + " is draining or not joined yet; connect through the edge or retry"),
          who,
          false);
      return;
    }
    if (!HttpGuards.originAllowed(
        request.getHeader("Origin"), host(request), settings.security().auth().allowedOrigins())) {
      refuse(
          request,
          Refusal.forbidden(
              "origin", "Origin " + request.getHeader("Origin") + " is not in --allowed-origins"),
          who,
          true);
      return;
    }
    int inFlight = pending.incrementAndGet();
    if (limits.maxConnections() > 0 && node.connections() + inFlight > limits.maxConnections()) {
      pending.decrementAndGet();
      refuse(
          request,
          Refusal.unavailable(
              "max_connections",
              "node "
                  + node.name()
                  + " is full (--max-connections "
                  + limits.maxConnections()
                  + "); connect through the edge or retry later"),
          who,
          true);
      return;
    }
    if (limits.maxPendingHandshakes() > 0 && inFlight > limits.maxPendingHandshakes()) {
      pending.decrementAndGet();
      refuse(
          request,
          Refusal.unavailable(
              "max_pending_handshakes",
              "node "
                  + node.name()
                  + " has "
                  + limits.maxPendingHandshakes()
                  + " handshakes in progress (--max-pending-handshakes); retry in a moment"),
          who,
          true);
      return;
    }
    String token = request.getParam("token");
    Future<Identity> identity;
    if (token != null && node.verifier() != null) {
      request.pause();
      identity = node.verifier().verify(token);
    } else if (node.settings().security().auth().tokenRequired()) {
      identity = Future.succeededFuture(null); // must send {"op":"auth"} first
    } else {
      identity = Future.succeededFuture(Identity.ANONYMOUS);
    }
    identity.onComplete(
        ar -> {
          if (ar.failed()) {
            pending.decrementAndGet();
            Refusal refusal =
                ar.cause() instanceof Refusal r
                    ? r
                    : Refusal.unauthorized("token_malformed", ar.cause().getMessage());
            refuse(request, refusal, who, true);
            return;
          }
          // Registered from here on; the edge that tunnels the socket learns which admission it
          // was.
          long admission = node.metrics().admitted();
          request.response().putHeader(NodeEntry.ADMISSION_HEADER, String.valueOf(admission));
          request
              .toWebSocket()
              .onComplete(
                  ws -> {
                    pending.decrementAndGet();
                    if (ws.succeeded()) sessions.open(ws.result(), ar.result());
                    else node.metrics().admissionFailed();
                  });
        });
  }

  private void refuse(HttpServerRequest request, Refusal refusal, String who, boolean count) {
    if (count) node.rejections().reject(refusal.reason(), who, refusal.getMessage());
    HttpGuards.refuse(request.response(), refusal);
  }

  /**
   * The host the client asked for: the edge's X-Forwarded-Host when it tunnelled the socket. (A
   * browser cannot set that header on a WebSocket, so it cannot fake a same-origin match with it.)
   */
  static String host(HttpServerRequest request) {
    String forwarded = request.getHeader("X-Forwarded-Host");
    return forwarded != null ? forwarded : request.getHeader("Host");
  }

  /** The client's address for logs: the edge's X-Forwarded-For when it tunnelled the socket. */
  static String who(HttpServerRequest request) {
    String forwarded = request.getHeader("X-Forwarded-For");
    return "from " + (forwarded != null ? forwarded : String.valueOf(request.remoteAddress()));
  }
}
