package io.wsgrid.edge;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The client → node direction of a tunnel: forwards the client's bytes to the node as they are,
 * following only the WebSocket frame headers (RFC 6455 §5.2: FIN, opcode, length, mask; the payload
 * is skipped, never read), so the edge knows where one message ends and the next begins. That lets
 * the edge close a tunnel the way a client would: at the next message boundary it sends the node a
 * masked close frame of its own and drops what the client sends after it; the node answers with its
 * close frame (code and reason echoed), which reaches the client after every byte the node sent
 * before it, and closes. So a client learns why (1001 and a reason) without the edge ever cutting a
 * frame, in either direction.
 *
 * <p>Runs on the tunnel's event loop only (the splice's and Vert.x's handler for this socket).
 */
final class ClientToNode {
  private static final int OPCODE_CLOSE = 0x8;

  /** The context of Vert.x's handler in the node's channel: writes from here go to the node. */
  private final ChannelHandlerContext node;

  /** Header bytes of the current frame read so far (0: the next byte starts a frame). */
  private int headerAt;

  /** The current header's full length, known from its second byte. */
  private int headerLength = 2;

  private boolean fin;
  private int opcode;

  /** Bytes of the extended payload length: 0, 2 or 8. */
  private int extendedLength;

  private long length;
  private long payloadLeft;

  /** A data frame without FIN was read: the message goes on in continuation frames. */
  private boolean inMessage;

  /** The client sent a close frame: it is closing the tunnel itself. */
  private boolean clientClosing;

  /** A close frame waiting for the next message boundary. */
  private ByteBuf closeFrame;

  /** The edge's close frame went to the node: the client's bytes are dropped from here on. */
  private boolean ended;

  ClientToNode(ChannelHandlerContext node) {
    this.node = node;
  }

  /**
   * Writes (without flushing) what the client sent, or the part before the close frame, to the
   * node; takes ownership of {@code data}.
   */
  void forward(ByteBuf data) {
    if (ended) {
      data.release();
      return;
    }
    int from = data.readerIndex();
    int to = data.writerIndex();
    if (closeFrame == null) {
      follow(data, from, to, false);
      node.write(data, node.voidPromise());
      return;
    }
    int boundary = follow(data, from, to, true);
    if (boundary < 0) {
      node.write(data, node.voidPromise()); // the message goes on past this read
      return;
    }
    if (boundary > from) node.write(data.retainedSlice(from, boundary - from), node.voidPromise());
    data.release();
    sendClose();
  }

  /**
   * Ends the client's side of the tunnel with a close frame ({@code code}, {@code reason}) at the
   * next message boundary: at once when the client is between messages. Nothing to do when the
   * client or the edge already began closing.
   */
  void close(short code, String reason) {
    if (ended || clientClosing || closeFrame != null) return;
    closeFrame = maskedCloseFrame(code, reason);
    if (atBoundary()) sendClose();
  }

  private boolean atBoundary() {
    return headerAt == 0 && payloadLeft == 0 && !inMessage;
  }

  private void sendClose() {
    ended = true;
    ByteBuf frame = closeFrame;
    closeFrame = null;
    if (node.channel().isActive()) node.writeAndFlush(frame, node.voidPromise());
    else frame.release();
  }

  /**
   * Follows the frames in {@code data[from, to)}. With {@code toBoundary}, stops at the first
   * message boundary and returns its index (-1 if there is none); else reads to the end.
   */
  private int follow(ByteBuf data, int from, int to, boolean toBoundary) {
    int at = from;
    while (true) {
      if (toBoundary && atBoundary()) return at;
      if (at >= to) return toBoundary ? -1 : to;
      if (payloadLeft > 0) {
        int skip = (int) Math.min(payloadLeft, to - at);
        payloadLeft -= skip;
        at += skip;
        continue;
      }
      header(data.getByte(at++));
    }
  }

  private void header(byte b) {
    int position = headerAt++;
    if (position == 0) {
      fin = (b & 0x80) != 0;
      opcode = b & 0x0F;
    } else if (position == 1) {
      int length7 = b & 0x7F;
      extendedLength = length7 == 126 ? 2 : length7 == 127 ? 8 : 0;
      headerLength = 2 + extendedLength + ((b & 0x80) != 0 ? 4 : 0);
      length = extendedLength == 0 ? length7 : 0;
    } else if (position < 2 + extendedLength) {
      length = (length << 8) | (b & 0xFF);
    } // else a byte of the masking key
    if (headerAt == headerLength) frameStarts();
  }

  private void frameStarts() {
    headerAt = 0;
    headerLength = 2;
    extendedLength = 0;
    payloadLeft = length;
    if (opcode == OPCODE_CLOSE) {
      clientClosing = true;
    } else if (opcode < OPCODE_CLOSE) {
      inMessage =
          !fin; // data frames: text, binary, continuation; control frames (8-15) sit between them
    }
  }

  /**
   * A client-to-server close frame: FIN + opcode 8, masked (RFC 6455 §5.3), code and reason (≤ 123
   * bytes).
   */
  static ByteBuf maskedCloseFrame(short code, String reason) {
    byte[] text = reason.getBytes(StandardCharsets.UTF_8);
    int reasonLength = Math.min(text.length, 123);
    byte[] payload = new byte[2 + reasonLength];
    payload[0] = (byte) (code >> 8);
    payload[1] = (byte) code;
    System.arraycopy(text, 0, payload, 2, reasonLength);
    byte[] mask = new byte[4];
    ThreadLocalRandom.current().nextBytes(mask);
    ByteBuf frame = Unpooled.buffer(2 + 4 + payload.length);
    frame.writeByte(0x80 | OPCODE_CLOSE).writeByte(0x80 | payload.length).writeBytes(mask);
    for (int i = 0; i < payload.length; i++) frame.writeByte(payload[i] ^ mask[i & 3]);
    return frame;
  }
}
