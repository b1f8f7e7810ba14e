package io.wsgrid.edge;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

/**
 * One direction of a spliced tunnel, in the reading channel's pipeline right before Vert.x's
 * handler: the bytes read are written to the other channel as they are (the pooled buffer the
 * socket filled, no copy into a Vert.x {@code Buffer} and back), flushed once per read batch, and
 * reading stops while the other channel cannot take more (back-pressure by autoread, as Netty's
 * proxy example does). Everything else — close, errors, writability for Vert.x's own writes — still
 * reaches Vert.x, so the tunnel's close handling is unchanged. Both channels must share one event
 * loop. The client's direction goes through {@link ClientToNode}, which follows its frames so the
 * edge can close the tunnel between two messages.
 */
final class ChannelSplice extends ChannelInboundHandlerAdapter {
  static final String NAME = "wsgrid-splice";

  /** The context of Vert.x's handler in the other channel: writes from there skip Vert.x. */
  private final ChannelHandlerContext peer;

  /** For the client's channel: forwards to the node frame-aware; null for the node's channel. */
  private final ClientToNode toNode;

  private boolean written;

  ChannelSplice(ChannelHandlerContext peer, ClientToNode toNode) {
    this.peer = peer;
    this.toNode = toNode;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!(msg instanceof ByteBuf)) {
      ctx.fireChannelRead(msg);
      return;
    }
    if (toNode != null) toNode.forward((ByteBuf) msg);
    else peer.write(msg, peer.voidPromise());
    written = true;
    if (!peer.channel().isWritable()) ctx.channel().config().setAutoRead(false);
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    if (written) {
      written = false;
      peer.flush();
    }
  }

  /**
   * This channel's writability changed: the other side's splice writes here, so it reads again or
   * stops.
   */
  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    Channel other = peer.channel();
    if (other.isActive()) other.config().setAutoRead(ctx.channel().isWritable());
    ctx.fireChannelWritabilityChanged();
  }
}
