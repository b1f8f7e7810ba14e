package io.wsgrid.bench;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * What the load generator says to a server and how it reads the answers: the wsgrid protocol (also
 * spoken by the Node.js {@code ws} peer in {@code src/bench/peers}) or Socket.IO v5 over a plain
 * WebSocket (Engine.IO v4, {@code transport=websocket}). Both carry the same publication body, so
 * the same scenario code drives every server.
 */
public interface Wire {
  /** The URL to open for {@code target} (a base URL such as {@code ws://127.0.0.1:8081/ws}). */
  String url(String target);

  /** The frame to send right after the socket opens, or null. */
  String hello();

  /** A request to subscribe to {@code channel}, answered with an ack carrying {@code id}. */
  String subscribe(int id, String channel);

  /** A request to unsubscribe from {@code channel}, answered with an ack carrying {@code id}. */
  String unsubscribe(int id, String channel);

  /**
   * A request to publish {@code body} (a JSON object) to {@code channel}, answered with an ack
   * carrying {@code id}.
   */
  String publish(int id, String channel, String body);

  /** Classifies a frame from the server. */
  Frame read(String text);

  /**
   * The send stamp of a publication frame read as UTF-8 bytes (the fast path of {@link
   * PublicationTap}), or -1 when the frame is not a publication; agrees with {@link #read}.
   */
  long publicationStamp(ByteBuf utf8);

  /** The answer a frame needs at once (Socket.IO's pong), or null. */
  default String answer(String text) {
    return null;
  }

  enum Kind {
    READY,
    ACK,
    PUBLICATION,
    ERROR,
    OTHER
  }

  /**
   * A frame's kind; for an ACK its id; for a PUBLICATION the send time stamped in its body
   * (nanoTime).
   */
  record Frame(Kind kind, long value) {}

  static Wire of(String name) {
    return switch (name.toLowerCase(Locale.ROOT)) {
      case "wsgrid" -> new WsgridWire();
      case "socketio", "socket.io" -> new SocketIoWire();
      default ->
          throw new IllegalArgumentException(
              "--protocol must be wsgrid or socketio, got '" + name + "'");
    };
  }

  /**
   * {@code ascii} as a read-only buffer to search frames for ({@link #startsWith}, {@link
   * #number(ByteBuf, ByteBuf)}).
   */
  static ByteBuf ascii(String ascii) {
    return Unpooled.unreleasableBuffer(
        Unpooled.wrappedBuffer(ascii.getBytes(StandardCharsets.US_ASCII)).asReadOnly());
  }

  /** True when {@code utf8} starts with {@code prefix}. */
  static boolean startsWith(ByteBuf utf8, ByteBuf prefix) {
    int length = prefix.readableBytes();
    return utf8.readableBytes() >= length
        && ByteBufUtil.equals(utf8, utf8.readerIndex(), prefix, prefix.readerIndex(), length);
  }

  /** The number right after the first {@code key} in {@code utf8}, or -1. */
  static long number(ByteBuf utf8, ByteBuf key) {
    int at = ByteBufUtil.indexOf(key, utf8);
    if (at < 0) return -1;
    long value = 0;
    boolean any = false;
    for (int i = at + key.readableBytes(); i < utf8.writerIndex(); i++) {
      byte c = utf8.getByte(i);
      if (c < '0' || c > '9') break;
      value = value * 10 + (c - '0');
      any = true;
    }
    return any ? value : -1;
  }

  /** The number after {@code key} in {@code text} (no JSON parse on the hot path), or -1. */
  static long number(String text, String key, int from) {
    int at = text.indexOf(key, from);
    if (at < 0) return -1;
    long value = 0;
    boolean any = false;
    for (int i = at + key.length(); i < text.length(); i++) {
      char c = text.charAt(i);
      if (c < '0' || c > '9') break;
      value = value * 10 + (c - '0');
      any = true;
    }
    return any ? value : -1;
  }
}
