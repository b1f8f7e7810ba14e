package io.wsgrid.bench;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import java.util.function.LongConsumer;

/**
 * Reads publications in a load-generator socket's pipeline, right after the frame decoder: the send
 * stamp is read from the frame's bytes and handed on, and the frame is dropped there, never turned
 * into a {@code String} nor queued through Vert.x. Every other frame (acks, errors, Socket.IO's
 * pings) goes on to Vert.x. The load generator shares the machine with the servers it measures, so
 * the less it spends per delivery, the more the servers get (here it spent about as much as they
 * did before this).
 */
final class PublicationTap extends ChannelInboundHandlerAdapter {
  static final String NAME = "bench-publication-tap";

  private final Wire wire;
  private final LongConsumer onPublication;

  PublicationTap(Wire wire, LongConsumer onPublication) {
    this.wire = wire;
    this.onPublication = onPublication;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof TextWebSocketFrame frame && frame.isFinalFragment()) {
      long stamp = wire.publicationStamp(frame.content());
      if (stamp >= 0) {
        frame.release();
        onPublication.accept(stamp);
        return;
      }
    }
    ctx.fireChannelRead(msg);
  }
}
