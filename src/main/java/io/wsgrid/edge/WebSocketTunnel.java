package io.wsgrid.edge;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.DuplexChannel;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.internal.buffer.BufferInternal;
import io.vertx.core.internal.net.StreamChannelInternal;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetSocket;
import io.wsgrid.cluster.NodeEntry;
import java.net.URI;
import java.util.HashSet;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Proxy mode: tunnels a client's WebSocket upgrade to the node the picker chooses. The upgrade
 * request goes to the node over a plain TCP connection with the client's headers (plus {@code
 * X-Forwarded-*}), and the node's response head is read here ({@link ResponseHead}): no pooled HTTP
 * client in between, which cost milliseconds per handshake. Once the node answers 101, the two TCP
 * connections are spliced byte for byte (what HAProxy does), with back-pressure both ways: frames,
 * fragmentation, ping/pong, close codes and extensions pass untouched, and a slow client slows its
 * node's socket instead of filling the edge's memory. A node that cannot be reached, or answers
 * 5xx, is skipped for the next pick, up to {@code maxAttempts} nodes.
 *
 * <p>Why not vertx-http-proxy: its WebSocket splice (5.1.x) writes without back-pressure and has no
 * hook to retry the upgrade on another origin.
 */
final class WebSocketTunnel {
  static final int HANDSHAKE_TIMEOUT_MS = 5_000;
  static final long LINGER_MS = 2_000;
  private static final Logger log = LoggerFactory.getLogger(WebSocketTunnel.class);
  private static final Set<String> HOP_BY_HOP =
      Set.of(
          "host",
          "connection",
          "keep-alive",
          "proxy-connection",
          "te",
          "trailer",
          "transfer-encoding",
          "content-length");

  private final Vertx vertx;
  private final NetClient client;
  private final NetClient tlsClient;
  private final NodePicker picker;
  private final EdgeMetrics metrics;
  private final Tunnels tunnels;
  private final int maxAttempts;

  WebSocketTunnel(
      Vertx vertx,
      NetClient client,
      NetClient tlsClient,
      NodePicker picker,
      EdgeMetrics metrics,
      Tunnels tunnels,
      int maxAttempts) {
    this.vertx = vertx;
    this.client = client;
    this.tlsClient = tlsClient;
    this.picker = picker;
    this.metrics = metrics;
    this.tunnels = tunnels;
    this.maxAttempts = maxAttempts;
  }

  void handle(HttpServerRequest request) {
    if (!tunnels.accepting()) {
      metrics.failed("stopping");
      reply(
          request,
          503,
          "this edge is stopping: connect again (the other edges take new sockets)\n");
      return;
    }
    request.pause();
    AtomicBoolean clientGone = new AtomicBoolean();
    request.connection().closeHandler(v -> clientGone.set(true));
    attempt(request, RoutingKey.of(request), new HashSet<>(), clientGone);
  }

  private void attempt(
      HttpServerRequest request, String key, Set<String> tried, AtomicBoolean clientGone) {
    if (clientGone.get()) {
      metrics.failed("client_gone");
      return;
    }
    Optional<NodeEntry> pick = picker.pick(key, tried);
    if (pick.isEmpty()) {
      metrics.failed(tried.isEmpty() ? "no_node" : "exhausted");
      reply(
          request,
          503,
          tried.isEmpty()
              ? "no wsgrid node is UP: start one (java -jar wsgrid.jar node) and see GET /admin/nodes\n"
              : "no node accepted the connection (tried " + tried + "); retry in a moment\n");
      return;
    }
    NodeEntry node = pick.get();
    tried.add(node.id());
    NodePicker.Routed routed = picker.tunnelled(node.id());
    URI target = URI.create(node.wsUrl());
    // A plain TCP connection and the upgrade request written by hand, the node's response head read
    // by hand: no HTTP client pool between the two (it cost milliseconds per handshake).
    ("wss".equals(target.getScheme()) ? tlsClient : client)
        .connect(target.getPort(), target.getHost())
        .onComplete(
            ar -> {
              if (ar.failed()) {
                upstreamFailed(
                    request, key, tried, clientGone, node, routed, ar.cause().toString());
                return;
              }
              NetSocket upstream = ar.result();
              ResponseHead head = new ResponseHead();
              long timer =
                  vertx.setTimer(
                      HANDSHAKE_TIMEOUT_MS,
                      t -> {
                        if (!head.done()) upstream.close();
                      });
              upstream.closeHandler(
                  v -> {
                    if (!head.done()) {
                      vertx.cancelTimer(timer);
                      upstreamFailed(
                          request,
                          key,
                          tried,
                          clientGone,
                          node,
                          routed,
                          "closed before answering the upgrade");
                    }
                  });
              upstream.exceptionHandler(
                  e ->
                      log.debug(
                          "edge: upstream {} during the handshake: {}", node.id(), e.toString()));
              upstream.handler(
                  data -> {
                    if (head.done()) return;
                    try {
                      if (!head.feed(data)) return;
                    } catch (IllegalStateException e) {
                      vertx.cancelTimer(timer);
                      head.fail();
                      upstream.close();
                      upstreamFailed(request, key, tried, clientGone, node, routed, e.getMessage());
                      return;
                    }
                    vertx.cancelTimer(timer);
                    upstream.pause();
                    upstream.handler(null);
                    upstream.closeHandler(null);
                    if (head.status() == 101) {
                      picker.admitted(
                          node.id(), routed, admission(head).orElse(NodePicker.UNNUMBERED));
                      splice(request, upstream, head, node, clientGone);
                    } else if (head.status() >= 500) {
                      picker.unrouted(node.id(), routed);
                      metrics.failed("rejected");
                      upstream.close();
                      retryOrGiveUp(request, key, tried, clientGone);
                    } else {
                      picker.unrouted(node.id(), routed);
                      metrics.failed("refused");
                      upstream.close();
                      reply(request, head.status(), head.rest().toString());
                    }
                  });
              upstream.write(requestHead(request, target));
            });
  }

  private void upstreamFailed(
      HttpServerRequest request,
      String key,
      Set<String> tried,
      AtomicBoolean clientGone,
      NodeEntry node,
      NodePicker.Routed routed,
      String why) {
    picker.unrouted(node.id(), routed);
    metrics.failed("connect");
    log.warn(
        "edge: cannot open a tunnel to {} ({}): {}; trying another node",
        node.id(),
        node.wsUrl(),
        why);
    retryOrGiveUp(request, key, tried, clientGone);
  }

  /**
   * The socket's admission number on its node ({@link NodeEntry#ADMISSION_HEADER}), if the node
   * said.
   */
  private static OptionalLong admission(ResponseHead head) {
    String value = head.headers().get(NodeEntry.ADMISSION_HEADER);
    if (value == null) return OptionalLong.empty();
    try {
      return OptionalLong.of(Long.parseLong(value.trim()));
    } catch (NumberFormatException e) {
      return OptionalLong.empty();
    }
  }

  /**
   * The client's upgrade request as the node gets it: same path and headers, plus X-Forwarded-*.
   */
  private static Buffer requestHead(HttpServerRequest request, URI target) {
    StringBuilder head =
        new StringBuilder(512)
            .append("GET ")
            .append(request.uri())
            .append(" HTTP/1.1\r\n")
            .append("Host: ")
            .append(target.getHost())
            .append(':')
            .append(target.getPort())
            .append("\r\n");
    forwardedHeaders(request)
        .forEach(h -> head.append(h.getKey()).append(": ").append(h.getValue()).append("\r\n"));
    return Buffer.buffer(head.append("\r\n").toString());
  }

  private void retryOrGiveUp(
      HttpServerRequest request, String key, Set<String> tried, AtomicBoolean clientGone) {
    if (tried.size() < maxAttempts) {
      attempt(request, key, tried, clientGone);
    } else {
      metrics.failed("exhausted");
      reply(
          request,
          503,
          "no node accepted the connection (tried " + tried + "); retry in a moment\n");
    }
  }

  private void splice(
      HttpServerRequest request,
      NetSocket upstream,
      ResponseHead head,
      NodeEntry node,
      AtomicBoolean clientGone) {
    if (clientGone.get()) {
      metrics.failed("client_gone");
      upstream.close();
      return;
    }
    request.response().setStatusCode(101);
    head.headers()
        .forEach(
            h -> {
              if (!NodeEntry.ADMISSION_HEADER.equalsIgnoreCase(h.getKey()))
                request.response().headers().add(h.getKey(), h.getValue());
            });
    request
        .toNetSocket()
        .onComplete(
            ar -> {
              if (ar.failed()) {
                metrics.failed("client_gone");
                upstream.close();
                return;
              }
              NetSocket downstream = ar.result();
              // What the node sent right after its 101 (its first frame) came with the head.
              if (head.rest().length() > 0) downstream.write(head.rest());
              metrics.routed(node.id());
              metrics.tunnelOpened();
              picker.opened(node.id());
              ClientToNode frames = spliceChannels(downstream, upstream);
              if (frames == null) {
                // Pipes carry back-pressure; closing is ours (below), not the pipes'
                // end-on-complete.
                downstream.pipe().endOnComplete(false).to(upstream);
                upstream.pipe().endOnComplete(false).to(downstream);
              }
              Tunnels.Tunnel tunnel =
                  tunnels.opened(downstream, upstream, frames, vertx.getOrCreateContext());
              AtomicBoolean closed = new AtomicBoolean();
              upstream.closeHandler(
                  v -> {
                    if (ended(closed, node))
                      lingerThenClose(downstream, () -> tunnels.closed(tunnel));
                  });
              downstream.closeHandler(
                  v -> {
                    tunnels.closed(tunnel);
                    ended(closed, node);
                    upstream.close();
                  });
              // An error on one side (a reset while writing) is not a reason to drop what the other
              // side still has to read, such as the node's close frame: only a closed socket ends
              // both.
              upstream.exceptionHandler(
                  e -> log.debug("edge: tunnel to {}: {}", node.id(), e.toString()));
              downstream.exceptionHandler(
                  e -> log.debug("edge: tunnel from client: {}", e.toString()));
            });
  }

  /**
   * The first of the tunnel's two sockets closed (true once per tunnel): counted, and the strategy
   * told.
   */
  private boolean ended(AtomicBoolean closed, NodeEntry node) {
    if (!closed.compareAndSet(false, true)) return false;
    metrics.tunnelClosed();
    picker.closed(node.id());
    return true;
  }

  /**
   * Splices the two sockets below Vert.x ({@link ChannelSplice}) when they share an event loop,
   * which they do when the upstream was opened from the request's context: no copy per chunk and
   * one flush per read batch, where Vert.x's pipes copied every chunk twice and flushed each (the
   * edge spent tens of microseconds of CPU per relayed frame). What Vert.x already read goes first,
   * through Vert.x; the splices go in after that drain, on the same loop, so the order of the bytes
   * is kept. Returns what forwards the client's bytes ({@link ClientToNode}, also what closes the
   * tunnel cleanly), or null when the sockets cannot be spliced: Vert.x's pipes then do it.
   */
  private static ClientToNode spliceChannels(NetSocket downstream, NetSocket upstream) {
    if (!(downstream instanceof StreamChannelInternal down)
        || !(upstream instanceof StreamChannelInternal up)) return null;
    ChannelHandlerContext downCtx = down.channelHandlerContext();
    ChannelHandlerContext upCtx = up.channelHandlerContext();
    EventLoop loop = downCtx.channel().eventLoop();
    if (loop != upCtx.channel().eventLoop() || !loop.inEventLoop()) return null;
    ClientToNode toNode = new ClientToNode(upCtx);
    downstream.handler(
        data -> {
          toNode.forward(((BufferInternal) data).getByteBuf());
          upCtx.flush();
        });
    upstream.handler(
        data -> downCtx.writeAndFlush(((BufferInternal) data).getByteBuf(), downCtx.voidPromise()));
    downstream.resume();
    upstream.resume(); // delivers what Vert.x queued, in a task on this loop
    loop.execute(
        () -> {
          if (downCtx.channel().isActive())
            downCtx
                .pipeline()
                .addBefore(downCtx.name(), ChannelSplice.NAME, new ChannelSplice(upCtx, toNode));
          if (upCtx.channel().isActive())
            upCtx
                .pipeline()
                .addBefore(upCtx.name(), ChannelSplice.NAME, new ChannelSplice(downCtx, null));
        });
    return toNode;
  }

  /**
   * The node closed: its last bytes (its close frame) go to the client, then a FIN (half-close),
   * while the client's bytes are read and dropped until it closes too. A plain close with unread
   * client bytes would reset the connection and destroy that close frame in the client's buffer
   * (hence the lingering close web servers do); the client gets {@link #LINGER_MS} at most.
   */
  private void lingerThenClose(NetSocket downstream, Runnable closed) {
    downstream.handler(data -> {});
    downstream.resume();
    long timer = vertx.setTimer(LINGER_MS, t -> downstream.close());
    downstream.closeHandler(
        v -> {
          vertx.cancelTimer(timer);
          closed.run();
        });
    downstream
        .write(Buffer.buffer())
        .onComplete(
            ar -> {
              Channel channel =
                  ((StreamChannelInternal) downstream).channelHandlerContext().channel();
              if (ar.succeeded() && channel instanceof DuplexChannel duplex && channel.isActive()) {
                duplex.shutdownOutput();
              } else {
                downstream.close();
              }
            });
  }

  private static void reply(HttpServerRequest request, int status, String text) {
    if (request.response().ended() || request.response().closed()) return;
    request
        .response()
        .setStatusCode(status)
        .putHeader(HttpHeaders.CONTENT_TYPE, "text/plain")
        .end(text);
  }

  /**
   * The client's headers minus hop-by-hop ones, plus the WebSocket upgrade and {@code
   * X-Forwarded-*}.
   */
  static MultiMap forwardedHeaders(HttpServerRequest request) {
    MultiMap headers = MultiMap.caseInsensitiveMultiMap();
    request
        .headers()
        .forEach(
            h -> {
              if (!HOP_BY_HOP.contains(h.getKey().toLowerCase(Locale.ROOT)))
                headers.add(h.getKey(), h.getValue());
            });
    headers.set(HttpHeaders.CONNECTION, "Upgrade");
    String client =
        request.remoteAddress() == null ? "unknown" : request.remoteAddress().hostAddress();
    String prior = request.getHeader("X-Forwarded-For");
    headers.set("X-Forwarded-For", prior == null ? client : prior + ", " + client);
    headers.set("X-Forwarded-Proto", request.isSSL() ? "https" : "http");
    if (request.authority() != null)
      headers.set("X-Forwarded-Host", request.authority().toString());
    return headers;
  }
}
