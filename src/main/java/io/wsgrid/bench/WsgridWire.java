package io.wsgrid.bench;

import io.netty.buffer.ByteBuf;

/**
 * The wsgrid protocol: {@code {"id":1,"op":"subscribe","channel":…}}, replies {@code
 * {"id":1,"ok":true…}}, publications {@code {"channel":…,"offset":…,"data":{"t":…}}}, first frame
 * {@code {"op":"connected"…}}.
 */
final class WsgridWire implements Wire {
  private static final ByteBuf PUBLICATION = Wire.ascii("{\"channel\"");
  private static final ByteBuf STAMP = Wire.ascii("\"t\":");

  @Override
  public String url(String target) {
    return target;
  }

  @Override
  public String hello() {
    return null;
  }

  @Override
  public String subscribe(int id, String channel) {
    return "{\"id\":" + id + ",\"op\":\"subscribe\",\"channel\":\"" + channel + "\"}";
  }

  @Override
  public String unsubscribe(int id, String channel) {
    return "{\"id\":" + id + ",\"op\":\"unsubscribe\",\"channel\":\"" + channel + "\"}";
  }

  @Override
  public String publish(int id, String channel, String body) {
    return "{\"id\":"
        + id
        + ",\"op\":\"publish\",\"channel\":\""
        + channel
        + "\",\"data\":"
        + body
        + "}";
  }

  @Override
  public long publicationStamp(ByteBuf utf8) {
    return Wire.startsWith(utf8, PUBLICATION) ? Wire.number(utf8, STAMP) : -1;
  }

  @Override
  public Frame read(String text) {
    if (text.startsWith("{\"channel\""))
      return new Frame(Kind.PUBLICATION, Wire.number(text, "\"t\":", 0));
    if (text.startsWith("{\"id\":")) {
      return new Frame(
          text.contains("\"error\"") ? Kind.ERROR : Kind.ACK, Wire.number(text, "\"id\":", 0));
    }
    if (text.contains("\"op\":\"connected\"")) return new Frame(Kind.READY, 0);
    if (text.contains("\"error\"")) return new Frame(Kind.ERROR, -1);
    return new Frame(Kind.OTHER, 0);
  }
}
