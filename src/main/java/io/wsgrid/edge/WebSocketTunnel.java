package io.wsgrid.edge;

import io.netty.channel.Channel;
import io.netty.channel.socket.DuplexChannel;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.net.StreamChannelInternal;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.NetSocket;
import io.wsgrid.cluster.NodeEntry;
import java.net.URI;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Proxy mode: tunnels a client's WebSocket upgrade to the node the picker chooses. The upgrade
 * request goes to the node with the client's headers (plus {@code X-Forwarded-*}); once the node
 * answers 101, the two TCP connections are spliced byte for byte (what HAProxy does), with
 * back-pressure both ways: frames, fragmentation, ping/pong, close codes and extensions pass
 * untouched, and a slow client slows its node's socket instead of filling the edge's memory.
 * A node that cannot be reached, or answers 5xx, is skipped for the next pick, up to
 * {@code maxAttempts} nodes.
 *
 * <p>Why not vertx-http-proxy: its WebSocket splice (5.1.x) writes without back-pressure and
 * has no hook to retry the upgrade on another origin.
 */
final class WebSocketTunnel {
  static final int HANDSHAKE_TIMEOUT_MS = 5_000;
  static final long LINGER_MS = 2_000;
  private static final Logger log = LoggerFactory.getLogger(WebSocketTunnel.class);
  private static final Set<String> HOP_BY_HOP = Set.of("host", "connection", "keep-alive", "proxy-connection",
      "te", "trailer", "transfer-encoding", "content-length");

  private final Vertx vertx;
  private final HttpClient client;
  private final NodePicker picker;
  private final EdgeMetrics metrics;
  private final int maxAttempts;

  WebSocketTunnel(Vertx vertx, HttpClient client, NodePicker picker, EdgeMetrics metrics, int maxAttempts) {
    this.vertx = vertx;
    this.client = client;
    this.picker = picker;
    this.metrics = metrics;
    this.maxAttempts = maxAttempts;
  }

  void handle(HttpServerRequest request) {
    request.pause();
    AtomicBoolean clientGone = new AtomicBoolean();
    request.connection().closeHandler(v -> clientGone.set(true));
    attempt(request, RoutingKey.of(request), new HashSet<>(), clientGone);
  }

  private void attempt(HttpServerRequest request, String key, Set<String> tried, AtomicBoolean clientGone) {
    if (clientGone.get()) {
      metrics.failed("client_gone");
      return;
    }
    Optional<NodeEntry> pick = picker.pick(key, tried);
    if (pick.isEmpty()) {
      metrics.failed(tried.isEmpty() ? "no_node" : "exhausted");
      reply(request, 503, tried.isEmpty()
          ? "no wsgrid node is UP: start one (java -jar wsgrid.jar node) and see GET /admin/nodes\n"
          : "no node accepted the connection (tried " + tried + "); retry in a moment\n");
      return;
    }
    NodeEntry node = pick.get();
    tried.add(node.id());
    picker.routed(node.id());
    URI target = URI.create(node.wsUrl());
    RequestOptions options = new RequestOptions().setMethod(HttpMethod.GET)
        .setHost(target.getHost()).setPort(target.getPort()).setURI(request.uri())
        .setHeaders(forwardedHeaders(request));
    client.request(options)
        .compose(upstream -> {
          upstream.idleTimeout(HANDSHAKE_TIMEOUT_MS);
          return upstream.connect();
        })
        .onComplete(ar -> {
          if (ar.failed()) {
            picker.unrouted(node.id());
            metrics.failed("connect");
            log.warn("edge: cannot open a tunnel to {} ({}): {}; trying another node", node.id(), node.wsUrl(),
                ar.cause().toString());
            retryOrGiveUp(request, key, tried, clientGone);
            return;
          }
          HttpClientResponse response = ar.result();
          if (response.statusCode() == 101) {
            splice(request, response, node, clientGone);
          } else if (response.statusCode() >= 500) {
            picker.unrouted(node.id());
            metrics.failed("rejected");
            response.netSocket().close();
            retryOrGiveUp(request, key, tried, clientGone);
          } else {
            picker.unrouted(node.id());
            metrics.failed("refused");
            passThrough(request, response);
          }
        });
  }

  private void retryOrGiveUp(HttpServerRequest request, String key, Set<String> tried, AtomicBoolean clientGone) {
    if (tried.size() < maxAttempts) {
      attempt(request, key, tried, clientGone);
    } else {
      metrics.failed("exhausted");
      reply(request, 503, "no node accepted the connection (tried " + tried + "); retry in a moment\n");
    }
  }

  private void splice(HttpServerRequest request, HttpClientResponse response, NodeEntry node, AtomicBoolean clientGone) {
    NetSocket upstream = response.netSocket();
    upstream.pause();
    if (clientGone.get()) {
      metrics.failed("client_gone");
      upstream.close();
      return;
    }
    request.response().setStatusCode(101);
    response.headers().forEach(h -> request.response().headers().add(h.getKey(), h.getValue()));
    request.toNetSocket().onComplete(ar -> {
      if (ar.failed()) {
        metrics.failed("client_gone");
        upstream.close();
        return;
      }
      NetSocket downstream = ar.result();
      metrics.routed(node.id());
      metrics.tunnelOpened();
      AtomicBoolean closed = new AtomicBoolean();
      upstream.closeHandler(v -> {
        if (closed.compareAndSet(false, true)) {
          metrics.tunnelClosed();
          lingerThenClose(downstream);
        }
      });
      downstream.closeHandler(v -> {
        if (closed.compareAndSet(false, true)) metrics.tunnelClosed();
        upstream.close();
      });
      // Pipes carry back-pressure; closing is ours (above), not the pipes' end-on-complete.
      downstream.pipe().endOnComplete(false).to(upstream);
      upstream.pipe().endOnComplete(false).to(downstream);
      // An error on one side (a reset while writing) is not a reason to drop what the other
      // side still has to read, such as the node's close frame: only a closed socket ends both.
      upstream.exceptionHandler(e -> log.debug("edge: tunnel to {}: {}", node.id(), e.toString()));
      downstream.exceptionHandler(e -> log.debug("edge: tunnel from client: {}", e.toString()));
    });
  }

  /**
   * The node closed: its last bytes (its close frame) go to the client, then a FIN (half-close),
   * while the client's bytes are read and dropped until it closes too. A plain close with
   * unread client bytes would reset the connection and destroy that close frame in the client's
   * buffer (hence the lingering close web servers do); the client gets {@link #LINGER_MS} at most.
   */
  private void lingerThenClose(NetSocket downstream) {
    downstream.handler(data -> { });
    downstream.resume();
    long timer = vertx.setTimer(LINGER_MS, t -> downstream.close());
    downstream.closeHandler(v -> vertx.cancelTimer(timer));
    downstream.write(Buffer.buffer()).onComplete(ar -> {
      Channel channel = ((StreamChannelInternal) downstream).channelHandlerContext().channel();
      if (ar.succeeded() && channel instanceof DuplexChannel duplex && channel.isActive()) {
        duplex.shutdownOutput();
      } else {
        downstream.close();
      }
    });
  }

  private void passThrough(HttpServerRequest request, HttpClientResponse response) {
    response.body().onComplete(ar -> {
      if (request.response().ended() || request.response().closed()) return;
      request.response().setStatusCode(response.statusCode());
      String type = response.getHeader(HttpHeaders.CONTENT_TYPE);
      if (type != null) request.response().putHeader(HttpHeaders.CONTENT_TYPE, type);
      request.response().end(ar.succeeded() ? ar.result() : Buffer.buffer());
    });
  }

  private static void reply(HttpServerRequest request, int status, String text) {
    if (request.response().ended() || request.response().closed()) return;
    request.response().setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, "text/plain").end(text);
  }

  /** The client's headers minus hop-by-hop ones, plus the WebSocket upgrade and {@code X-Forwarded-*}. */
  static MultiMap forwardedHeaders(HttpServerRequest request) {
    MultiMap headers = MultiMap.caseInsensitiveMultiMap();
    request.headers().forEach(h -> {
      if (!HOP_BY_HOP.contains(h.getKey().toLowerCase(java.util.Locale.ROOT))) headers.add(h.getKey(), h.getValue());
    });
    headers.set(HttpHeaders.CONNECTION, "Upgrade");
    String client = request.remoteAddress() == null ? "unknown" : request.remoteAddress().hostAddress();
    String prior = request.getHeader("X-Forwarded-For");
    headers.set("X-Forwarded-For", prior == null ? client : prior + ", " + client);
    headers.set("X-Forwarded-Proto", request.isSSL() ? "https" : "http");
    if (request.authority() != null) headers.set("X-Forwarded-Host", request.authority().toString());
    return headers;
  }
}
