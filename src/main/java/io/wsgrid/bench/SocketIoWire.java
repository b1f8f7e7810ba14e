package io.wsgrid.bench;

import io.netty.buffer.ByteBuf;

/**
 * Socket.IO v5 on Engine.IO v4 over a WebSocket only: the server opens with {@code 0{…}}, the
 * client joins the default namespace with {@code 40} (answered {@code 40{…}}), events are {@code
 * 42<id>["name",…]} with acks {@code 43<id>[…]}, and the server's ping {@code 2} is answered with
 * {@code 3}. The peer (src/bench/peers/socketio-server.js) acks {@code subscribe}, {@code
 * unsubscribe} and {@code publish} and emits {@code message} with the wsgrid publication body to
 * the room.
 */
final class SocketIoWire implements Wire {
  private static final ByteBuf EVENT = Wire.ascii("42");
  private static final ByteBuf STAMP = Wire.ascii("\"t\":");

  @Override
  public String url(String target) {
    return target.replaceFirst("/+$", "") + "/socket.io/?EIO=4&transport=websocket";
  }

  @Override
  public String hello() {
    return "40";
  }

  @Override
  public String subscribe(int id, String channel) {
    return "42" + id + "[\"subscribe\",\"" + channel + "\"]";
  }

  @Override
  public String unsubscribe(int id, String channel) {
    return "42" + id + "[\"unsubscribe\",\"" + channel + "\"]";
  }

  @Override
  public String publish(int id, String channel, String body) {
    return "42" + id + "[\"publish\",\"" + channel + "\"," + body + "]";
  }

  @Override
  public long publicationStamp(ByteBuf utf8) {
    return Wire.startsWith(utf8, EVENT) ? Wire.number(utf8, STAMP) : -1;
  }

  @Override
  public Frame read(String text) {
    if (text.startsWith("42")) return new Frame(Kind.PUBLICATION, Wire.number(text, "\"t\":", 2));
    if (text.startsWith("43")) return new Frame(Kind.ACK, Wire.number(text, "43", 0));
    if (text.startsWith("40")) return new Frame(Kind.READY, 0);
    if (text.startsWith("44")) return new Frame(Kind.ERROR, -1);
    return new Frame(Kind.OTHER, 0);
  }

  @Override
  public String answer(String text) {
    return "2".equals(text) ? "3" : null;
  }
}
