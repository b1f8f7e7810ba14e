package io.wsgrid.edge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;

/** The node's answer to a tunnelled upgrade, read from raw bytes as they arrive. */
class ResponseHeadTest {
  private static final String UPGRADE =
      "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
          + "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\nX-Wsgrid-Admission: 42\r\n\r\n";

  @Test
  void readsTheStatusLineAndHeadersCaseInsensitively() {
    ResponseHead head = new ResponseHead();
    assertThat(head.done()).isFalse();
    assertThat(head.feed(Buffer.buffer(UPGRADE))).isTrue();
    assertThat(head.done()).isTrue();
    assertThat(head.status()).isEqualTo(101);
    assertThat(head.headers().get("upgrade")).isEqualTo("websocket");
    assertThat(head.headers().get("SEC-WEBSOCKET-ACCEPT"))
        .isEqualTo("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
    assertThat(head.headers().get("x-wsgrid-admission")).isEqualTo("42");
    assertThat(head.rest().length()).isZero();
  }

  @Test
  void aHeadSplitAcrossReadsAtEveryByteIsReadTheSameAndKeepsWhatFollows() {
    byte[] frame = {
      (byte) 0x81, 0x02, 'h', 'i'
    }; // the node's first frame, in the same read as the blank line
    Buffer all = Buffer.buffer(UPGRADE).appendBytes(frame);
    for (int cut = 1; cut < UPGRADE.length(); cut++) {
      ResponseHead head = new ResponseHead();
      assertThat(head.feed(all.getBuffer(0, cut))).as("after %d bytes", cut).isFalse();
      assertThat(head.feed(all.getBuffer(cut, all.length()))).as("cut at %d", cut).isTrue();
      assertThat(head.status()).isEqualTo(101);
      assertThat(head.headers().get("X-Wsgrid-Admission")).isEqualTo("42");
      assertThat(head.rest().getBytes()).as("cut at %d", cut).containsExactly(frame);
    }
  }

  @Test
  void aRefusalKeepsItsBodyAndItsFramingHeaders() {
    String body = "{\"error\":{\"code\":\"too_many\"}}";
    ResponseHead head = new ResponseHead();
    head.feed(
        Buffer.buffer(
            "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nContent-Length: "
                + body.length()
                + "\r\nNo colon here\r\n\r\n"
                + body));
    assertThat(head.status()).isEqualTo(503);
    assertThat(head.headers().get("content-length")).isEqualTo("" + body.length());
    assertThat(head.headers().names()).containsExactlyInAnyOrder("Content-Type", "Content-Length");
    assertThat(head.rest().toString()).isEqualTo(body);
  }

  @Test
  void a101DropsBodyFramingHeaders() {
    ResponseHead head = new ResponseHead();
    head.feed(
        Buffer.buffer(
            "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nContent-Length: 0\r\n"
                + "Transfer-Encoding: chunked\r\n\r\n"));
    assertThat(head.headers().names()).containsExactly("Upgrade");
  }

  @Test
  void somethingThatIsNotHttpIsRefusedWithWhatCame() {
    assertThatThrownBy(() -> new ResponseHead().feed(Buffer.buffer("SSH-2.0-OpenSSH_9.6\r\n\r\n")))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("the node answered something that is not HTTP/1.x: SSH-2.0-OpenSSH_9.6");
    assertThatThrownBy(() -> new ResponseHead().feed(Buffer.buffer("HTTP/1.1 abc Nope\r\n\r\n")))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("bad status line from the node: HTTP/1.1 abc Nope");
    assertThatThrownBy(() -> new ResponseHead().feed(Buffer.buffer("HTTP/1.1\r\n\r\n")))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("not HTTP/1.x");
  }

  @Test
  void aHeadOverTheLimitIsRefusedWhetherOrNotItsEndCame() {
    String big =
        "HTTP/1.1 101 Switching Protocols\r\nX-Big: " + "x".repeat(ResponseHead.MAX) + "\r\n";
    ResponseHead endless = new ResponseHead();
    assertThatThrownBy(() -> endless.feed(Buffer.buffer(big)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("the node's response head is over " + ResponseHead.MAX + " bytes");
    assertThatThrownBy(() -> new ResponseHead().feed(Buffer.buffer(big + "\r\n")))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("the node's response head is over " + ResponseHead.MAX + " bytes");
  }

  @Test
  void aFailedHeadIsDone() {
    ResponseHead head = new ResponseHead();
    head.fail();
    assertThat(head.done()).isTrue();
  }
}
