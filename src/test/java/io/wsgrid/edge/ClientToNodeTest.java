package io.wsgrid.edge;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocket08FrameDecoder;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The client → node direction of a tunnel, in memory: bytes pass unchanged, a close goes in only
 * between messages.
 */
class ClientToNodeTest {
  private static final int TEXT = 0x1;
  private static final int CONTINUATION = 0x0;
  private static final int PING = 0x9;

  private final EmbeddedChannel node = new EmbeddedChannel(new ChannelInboundHandlerAdapter());
  private final ChannelHandlerContext nodeCtx = node.pipeline().firstContext();
  private final ClientToNode toNode = new ClientToNode(nodeCtx);

  /** A masked client frame with {@code length} payload bytes (a pattern, so a cut is visible). */
  private static byte[] frame(boolean fin, int opcode, int length) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write((fin ? 0x80 : 0) | opcode);
    if (length < 126) {
      out.write(0x80 | length);
    } else if (length < 65536) {
      out.write(0x80 | 126);
      out.write(length >> 8);
      out.write(length);
    } else {
      out.write(0x80 | 127);
      for (int shift = 56; shift >= 0; shift -= 8) out.write((int) ((long) length >> shift));
    }
    out.writeBytes(new byte[] {1, 2, 3, 4});
    for (int i = 0; i < length; i++) out.write(i * 7);
    return out.toByteArray();
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] part : parts) out.writeBytes(part);
    return out.toByteArray();
  }

  /** Feeds {@code bytes} in reads cut at random places (seeded). */
  private void feed(byte[] bytes, long seed) {
    Random random = new Random(seed);
    int at = 0;
    while (at < bytes.length) {
      int n = Math.min(bytes.length - at, 1 + random.nextInt(40));
      toNode.forward(Unpooled.copiedBuffer(bytes, at, n));
      at += n;
    }
  }

  private byte[] written() {
    node.flushOutbound();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteBuf buf;
    while ((buf = node.readOutbound()) != null) {
      byte[] bytes = new byte[buf.readableBytes()];
      buf.readBytes(bytes);
      buf.release();
      out.writeBytes(bytes);
    }
    return out.toByteArray();
  }

  /** What the node's decoder makes of the bytes: the frames a server would see. */
  private static java.util.List<WebSocketFrame> decoded(byte[] bytes) {
    EmbeddedChannel server = new EmbeddedChannel(new WebSocket08FrameDecoder(true, false, 1 << 20));
    server.writeInbound(Unpooled.wrappedBuffer(bytes));
    java.util.List<WebSocketFrame> frames = new java.util.ArrayList<>();
    WebSocketFrame frame;
    while ((frame = server.readInbound()) != null) frames.add(frame);
    return frames;
  }

  @Test
  void everyByteReachesTheNodeUnchangedAnyHowTheReadsCutThem() {
    byte[] stream =
        concat(
            frame(true, TEXT, 5),
            frame(true, TEXT, 300),
            frame(true, TEXT, 70_000),
            frame(true, PING, 3),
            frame(false, TEXT, 10),
            frame(true, CONTINUATION, 0));
    feed(stream, 1);
    assertThat(written()).isEqualTo(stream);
  }

  @Test
  void aCloseBetweenMessagesGoesAtOnceAndWhatFollowsIsDropped() {
    byte[] before = concat(frame(true, TEXT, 20), frame(true, TEXT, 200));
    feed(before, 2);
    toNode.close((short) 1001, "edge restarting; reconnect");
    feed(frame(true, TEXT, 9), 3);
    byte[] out = written();
    assertThat(Arrays.copyOf(out, before.length)).isEqualTo(before);
    var frames = decoded(out);
    assertThat(frames).hasSize(3);
    CloseWebSocketFrame close = (CloseWebSocketFrame) frames.get(2);
    assertThat(close.statusCode()).isEqualTo(1001);
    assertThat(close.reasonText()).isEqualTo("edge restarting; reconnect");
  }

  @Test
  void aCloseInsideAFrameWaitsForItsEndAndCutsTheRestOfTheRead() {
    byte[] big = frame(true, TEXT, 1_000);
    toNode.forward(Unpooled.copiedBuffer(big, 0, 300));
    toNode.close((short) 1001, "bye");
    assertThat(written()).hasSize(300); // nothing inserted inside the frame
    toNode.forward(
        Unpooled.wrappedBuffer(
            concat(Arrays.copyOfRange(big, 300, big.length), frame(true, TEXT, 4))));
    byte[] out = written();
    var frames = decoded(concat(Arrays.copyOf(big, 300), out));
    assertThat(frames).hasSize(2);
    assertThat(frames.get(0).content().readableBytes()).isEqualTo(1_000);
    assertThat(((CloseWebSocketFrame) frames.get(1)).statusCode()).isEqualTo(1001);
  }

  @Test
  void aCloseWaitsForTheEndOfAFragmentedMessageNotJustOfAFrame() {
    // A text message in two fragments with a ping between them: the close goes after the last
    // fragment.
    feed(concat(frame(false, TEXT, 30), frame(true, PING, 2)), 4);
    toNode.close((short) 1001, "bye");
    feed(concat(frame(true, CONTINUATION, 500), frame(true, TEXT, 8)), 5);
    var frames = decoded(written());
    assertThat(frames)
        .extracting(f -> f.getClass().getSimpleName())
        .containsExactly(
            "TextWebSocketFrame",
            "PingWebSocketFrame",
            "ContinuationWebSocketFrame",
            "CloseWebSocketFrame");
  }

  @Test
  void aClientThatIsClosingItselfGetsNoSecondClose() {
    ByteBuf own = ClientToNode.maskedCloseFrame((short) 4000, "done");
    byte[] closing = new byte[own.readableBytes()];
    own.readBytes(closing);
    feed(closing, 6);
    toNode.close((short) 1001, "bye");
    var frames = decoded(written());
    assertThat(frames).hasSize(1);
    assertThat(((CloseWebSocketFrame) frames.get(0)).statusCode()).isEqualTo(4000);
  }
}
