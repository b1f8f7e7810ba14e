package io.wsgrid.security;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.impl.HttpServerConnection;
import io.wsgrid.metrics.Rejections;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Closes HTTP connections that do not send a complete request within {@code --handshake-timeout}: a
 * new connection until its first request (a WebSocket upgrade, an API call) has fully arrived, and
 * a kept-alive one from the end of a response to the end of the next request. A connection that
 * became a WebSocket or a tunnel (101) is no longer timed, nor one whose request is being answered
 * (a long-lived stream such as the dashboard's). So connections that never finish their request
 * (half-open, slowloris) cannot pile up until the open-files limit. Each close counts as {@code
 * wsgrid_rejections_total{reason="handshake_timeout"}}.
 *
 * <p>Cheap: a small handler in each connection's pipeline until it upgrades, and one sweep per
 * event loop (per server instance) a few times per timeout over a queue in deadline order:
 * connections start waiting in time order and all wait the same time, so the queue is sorted by
 * construction; no timer per connection. An instance and its connections live on one event loop
 * (Vert.x runs a server instance's connections on its verticle's loop); every method runs there.
 */
public final class HandshakeTimeout {
  static final String HANDLER_NAME = "wsgrid-handshake-timeout";

  private final long timeoutNanos;
  private final LongSupplier clock;
  private final Rejections rejections;
  private final ArrayDeque<Deadline> deadlines = new ArrayDeque<>();

  HandshakeTimeout(long timeoutNanos, LongSupplier clock, Rejections rejections) {
    this.timeoutNanos = timeoutNanos;
    this.clock = clock;
    this.rejections = rejections;
  }

  /**
   * Times every connection {@code server} accepts, sweeping on the calling verticle's event loop
   * (its timer ends with the verticle). Call before {@code listen}.
   */
  public static void install(Vertx vertx, HttpServer server, int seconds, Rejections rejections) {
    install(vertx, server, seconds, rejections, connection -> {});
  }

  /**
   * As {@link #install(Vertx, HttpServer, int, Rejections)}, then hands each connection to {@code
   * next} (a server has one connection handler).
   */
  public static void install(
      Vertx vertx,
      HttpServer server,
      int seconds,
      Rejections rejections,
      Handler<HttpConnection> next) {
    HandshakeTimeout timeout =
        new HandshakeTimeout(TimeUnit.SECONDS.toNanos(seconds), System::nanoTime, rejections);
    vertx.setPeriodic(sweepPeriodMillis(seconds), id -> timeout.sweep());
    server.connectionHandler(
        connection -> {
          timeout.watch(connection);
          next.handle(connection);
        });
  }

  /** A tenth of the timeout, between 100 ms and 1 s: a connection is closed at most that late. */
  static long sweepPeriodMillis(int seconds) {
    return Math.max(100, Math.min(1000, seconds * 100L));
  }

  void watch(HttpConnection connection) {
    // Vert.x's own connection class gives its Netty pipeline (an internal interface, stable in
    // 5.x).
    if (connection instanceof HttpServerConnection http) {
      ChannelHandlerContext handler = http.channelHandlerContext();
      if (handler.pipeline().get(HANDLER_NAME) == null)
        handler.pipeline().addBefore(handler.name(), HANDLER_NAME, new Watch());
    }
  }

  /** Closes the connections whose deadline has passed; drops the entries of those that moved on. */
  void sweep() {
    long now = clock.getAsLong();
    for (Deadline head; (head = deadlines.peek()) != null; deadlines.poll()) {
      if (!head.watch.waitingSince(head.since)) continue;
      if (now - head.since < timeoutNanos) return;
      head.watch.expire();
    }
  }

  int queued() {
    return deadlines.size();
  }

  private record Deadline(Watch watch, long since) {}

  /**
   * One connection's state: requests whose head arrived and whose response has not ended, whether a
   * request's body is still arriving, and since when it waits for a complete request.
   */
  final class Watch extends ChannelDuplexHandler {
    private ChannelHandlerContext ctx;
    private int unanswered;
    private boolean reading;
    private boolean waiting;
    private long since;

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
      this.ctx = ctx;
      update(true);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (msg instanceof HttpRequest) {
        unanswered++;
        reading = true;
      }
      if (msg instanceof LastHttpContent) reading = false;
      update(false);
      ctx.fireChannelRead(msg);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
      if (msg instanceof HttpResponse response) {
        int status = response.status().code();
        if (status == 101) {
          // A WebSocket or a tunnel from here on: its own timeouts apply, not this one.
          waiting = false;
          ctx.write(msg, promise);
          ctx.pipeline().remove(this);
          return;
        }
        if (status < 200) {
          ctx.write(msg, promise); // 100 Continue: the request goes on
          return;
        }
      }
      if (msg instanceof LastHttpContent && unanswered > 0) {
        unanswered--;
        update(unanswered == 0 && !reading); // idle again: a kept-alive connection waits anew
      }
      ctx.write(msg, promise);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      waiting = false;
      ctx.fireChannelInactive();
    }

    private void update(boolean restart) {
      if (!reading && unanswered > 0) {
        waiting = false;
      } else if (!waiting || restart) {
        waiting = true;
        since = clock.getAsLong();
        deadlines.add(new Deadline(this, since));
      }
    }

    boolean waitingSince(long time) {
      return waiting && since == time && ctx.channel().isActive();
    }

    void expire() {
      waiting = false;
      rejections.reject(
          "handshake_timeout",
          String.valueOf(ctx.channel().remoteAddress()),
          "no complete HTTP request within "
              + TimeUnit.NANOSECONDS.toSeconds(timeoutNanos)
              + " s (--handshake-timeout); connection closed");
      ctx.close();
    }
  }
}
