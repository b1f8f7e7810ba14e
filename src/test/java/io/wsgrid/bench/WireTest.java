package io.wsgrid.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The load generator reads frames as the servers write them, without a JSON parse. */
class WireTest {
  private static io.netty.buffer.ByteBuf utf8(String text) {
    // A slice that does not start at index 0, as a frame's content inside a read buffer does not.
    io.netty.buffer.ByteBuf whole =
        io.netty.buffer.Unpooled.copiedBuffer(
            "xyz" + text, java.nio.charset.StandardCharsets.UTF_8);
    return whole.slice(3, whole.readableBytes() - 3);
  }

  @Test
  void wsgridFrames() {
    Wire wire = new WsgridWire();
    assertThat(wire.read("{\"op\":\"connected\",\"node\":\"n2\",\"client\":\"abc\"}").kind())
        .isEqualTo(Wire.Kind.READY);
    assertThat(wire.read("{\"id\":17,\"ok\":true,\"offset\":4}"))
        .isEqualTo(new Wire.Frame(Wire.Kind.ACK, 17));
    assertThat(wire.read("{\"id\":18,\"error\":{\"code\":\"forbidden\",\"message\":\"no\"}}"))
        .isEqualTo(new Wire.Frame(Wire.Kind.ERROR, 18));
    assertThat(
            wire.read(
                "{\"channel\":\"bench.fanout3\",\"offset\":42,\"data\":{\"t\":123456789012,\"p\":\"xx\"}}"))
        .isEqualTo(new Wire.Frame(Wire.Kind.PUBLICATION, 123456789012L));
    assertThat(
            wire.publicationStamp(
                utf8(
                    "{\"channel\":\"bench.fanout3\",\"offset\":42,\"data\":{\"t\":123456789012,\"p\":\"xx\"}}")))
        .as("the pipeline's fast path reads what read() reads")
        .isEqualTo(123456789012L);
    assertThat(wire.publicationStamp(utf8("{\"id\":17,\"ok\":true,\"offset\":4}"))).isEqualTo(-1);
    assertThat(wire.publicationStamp(utf8("{\"op\":\"connected\",\"node\":\"n2\"}"))).isEqualTo(-1);
    assertThat(wire.publish(5, "bench.a", "{\"t\":1}"))
        .isEqualTo("{\"id\":5,\"op\":\"publish\",\"channel\":\"bench.a\",\"data\":{\"t\":1}}");
    assertThat(wire.answer("{\"id\":1,\"ok\":true}")).isNull();
    assertThat(wire.unsubscribe(6, "bench.a"))
        .isEqualTo("{\"id\":6,\"op\":\"unsubscribe\",\"channel\":\"bench.a\"}");
  }

  @Test
  void socketIoFrames() {
    Wire wire = new SocketIoWire();
    assertThat(wire.url("ws://127.0.0.1:9121/"))
        .isEqualTo("ws://127.0.0.1:9121/socket.io/?EIO=4&transport=websocket");
    assertThat(wire.hello()).isEqualTo("40");
    assertThat(wire.read("0{\"sid\":\"x\",\"upgrades\":[],\"pingInterval\":25000}").kind())
        .isEqualTo(Wire.Kind.OTHER);
    assertThat(wire.read("40{\"sid\":\"y\"}").kind()).isEqualTo(Wire.Kind.READY);
    assertThat(wire.read("4312[{\"ok\":true}]")).isEqualTo(new Wire.Frame(Wire.Kind.ACK, 12));
    assertThat(
            wire.read(
                "42[\"message\",{\"channel\":\"bench.t1\",\"offset\":3,\"data\":{\"t\":987654321,\"p\":\"\"}}]"))
        .isEqualTo(new Wire.Frame(Wire.Kind.PUBLICATION, 987654321L));
    assertThat(
            wire.publicationStamp(
                utf8(
                    "42[\"message\",{\"channel\":\"bench.t1\",\"offset\":3,\"data\":{\"t\":987654321,\"p\":\"\"}}]")))
        .isEqualTo(987654321L);
    assertThat(wire.publicationStamp(utf8("4312[{\"ok\":true}]"))).isEqualTo(-1);
    assertThat(wire.publicationStamp(utf8("2")))
        .as("a ping goes on to Vert.x, which answers it")
        .isEqualTo(-1);
    assertThat(wire.answer("2")).isEqualTo("3");
    assertThat(wire.subscribe(7, "bench.t1")).isEqualTo("427[\"subscribe\",\"bench.t1\"]");
    assertThat(wire.unsubscribe(8, "bench.t1")).isEqualTo("428[\"unsubscribe\",\"bench.t1\"]");
  }
}
