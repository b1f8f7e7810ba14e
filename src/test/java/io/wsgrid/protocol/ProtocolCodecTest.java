package io.wsgrid.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ProtocolCodecTest {

  private static ProtocolError refused(String text) {
    return catchThrowableOfType(ProtocolError.class, () -> ProtocolCodec.parse(text));
  }

  @Test
  void parsesEveryOpOfTheContract() {
    Command sub = ProtocolCodec.parse("{\"id\":1,\"op\":\"subscribe\",\"channel\":\"chat.lobby\"}");
    assertThat(sub.op()).isEqualTo(Op.SUBSCRIBE);
    assertThat(sub.id()).isEqualTo(1);
    assertThat(sub.channel()).isEqualTo("chat.lobby");
    assertThat(sub.since()).isNull();

    Command since =
        ProtocolCodec.parse(
            "{\"id\":2,\"op\":\"subscribe\",\"channel\":\"chat.lobby\",\"since\":{\"offset\":41,\"epoch\":\"e1\"}}");
    assertThat(since.since()).isEqualTo(new StreamPosition(41, "e1"));

    Command pub =
        ProtocolCodec.parse(
            "{\"id\":4,\"op\":\"publish\",\"channel\":\"chat.lobby\",\"data\":{\"text\":\"hi\"}}");
    assertThat(pub.data().toString()).isEqualTo("{\"text\":\"hi\"}");
    assertThat(
            ProtocolCodec.parse("{\"op\":\"publish\",\"channel\":\"c\",\"data\":null}")
                .data()
                .toString())
        .isEqualTo("null");

    assertThat(
            ProtocolCodec.parse("{\"id\":3,\"op\":\"unsubscribe\",\"channel\":\"chat.lobby\"}")
                .op())
        .isEqualTo(Op.UNSUBSCRIBE);
    assertThat(
            ProtocolCodec.parse("{\"id\":5,\"op\":\"presence\",\"channel\":\"chat.lobby\"}").op())
        .isEqualTo(Op.PRESENCE);
    assertThat(ProtocolCodec.parse("{\"id\":\"a\",\"op\":\"ping\"}").id()).isEqualTo("a");
    assertThat(ProtocolCodec.parse("{\"op\":\"auth\",\"token\":\"t\"}").token()).isEqualTo("t");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "{",
        "nope",
        "[]",
        "[1]",
        "42",
        "\"op\"",
        "null",
        "{\"op\":\"ping\"",
        "{\"op\":\"ping\"}}"
      })
  void malformedJsonIsABadRequest(String text) {
    assertThat(refused(text).code()).isEqualTo(ErrorCode.BAD_REQUEST);
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "{\"id\":1}|BAD_REQUEST",
        "{\"id\":1,\"op\":7}|BAD_REQUEST",
        "{\"id\":1,\"op\":\"fly\"}|UNKNOWN_OP",
        "{\"id\":1,\"op\":\"subscribe\"}|BAD_CHANNEL",
        "{\"id\":1,\"op\":\"subscribe\",\"channel\":5}|BAD_CHANNEL",
        "{\"id\":1,\"op\":\"subscribe\",\"channel\":\"a b\"}|BAD_CHANNEL",
        "{\"id\":1,\"op\":\"subscribe\",\"channel\":\"\"}|BAD_CHANNEL",
        "{\"id\":1,\"op\":\"publish\",\"channel\":\"c\"}|BAD_REQUEST",
        "{\"id\":1,\"op\":\"subscribe\",\"channel\":\"c\",\"since\":5}|BAD_REQUEST",
        "{\"id\":1,\"op\":\"subscribe\",\"channel\":\"c\",\"since\":{\"offset\":-2,\"epoch\":\"e\"}}|BAD_REQUEST",
        "{\"id\":1,\"op\":\"subscribe\",\"channel\":\"c\",\"since\":{\"offset\":1.5,\"epoch\":\"e\"}}|BAD_REQUEST",
        "{\"id\":1,\"op\":\"subscribe\",\"channel\":\"c\",\"since\":{\"offset\":1}}|BAD_REQUEST",
        "{\"id\":1,\"op\":\"auth\"}|BAD_REQUEST",
      })
  void invalidFieldsAreRefusedWithTheRequestId(String text, ErrorCode code) {
    ProtocolError error = refused(text);
    assertThat(error.code()).isEqualTo(code);
    assertThat(error.requestId()).isEqualTo(1);
    assertThat(error.getMessage()).isNotBlank();
  }

  @Test
  void anIdOfAWrongTypeIsRefusedWithoutEcho() {
    ProtocolError error = refused("{\"id\":{\"x\":1},\"op\":\"ping\"}");
    assertThat(error.code()).isEqualTo(ErrorCode.BAD_REQUEST);
    assertThat(error.requestId()).isNull();
  }

  @Test
  void longUnknownOpsAreShortenedInTheMessage() {
    ProtocolError error = refused("{\"op\":\"" + "z".repeat(10_000) + "\"}");
    assertThat(error.code()).isEqualTo(ErrorCode.UNKNOWN_OP);
    assertThat(error.getMessage().length()).isLessThan(300);
  }

  @Test
  void serverFramesFollowTheContract() {
    assertThat(new JsonObject(ProtocolCodec.connected("n2", "c1", 0, 0)))
        .isEqualTo(new JsonObject().put("op", "connected").put("node", "n2").put("client", "c1"));
    assertThat(new JsonObject(ProtocolCodec.connected("n2", "c1", 50, 100)))
        .isEqualTo(
            new JsonObject()
                .put("op", "connected")
                .put("node", "n2")
                .put("client", "c1")
                .put("limits", new JsonObject().put("rate", 50).put("burst", 100)));
    assertThat(new JsonObject(ProtocolCodec.ok(1, null)))
        .isEqualTo(new JsonObject().put("id", 1).put("ok", true));
    assertThat(
            new JsonObject(
                ProtocolCodec.ok(1, new JsonObject().put("epoch", "e1").put("offset", 41))))
        .isEqualTo(
            new JsonObject().put("id", 1).put("ok", true).put("epoch", "e1").put("offset", 41));
    JsonObject error =
        new JsonObject(ProtocolCodec.error(new ProtocolError(ErrorCode.BAD_CHANNEL, "bad", 9)));
    assertThat(error.getInteger("id")).isEqualTo(9);
    assertThat(error.getJsonObject("error"))
        .isEqualTo(new JsonObject().put("code", "bad_channel").put("message", "bad"));
  }

  @Test
  void errorCodesUseTheContractsWireNames() {
    assertThat(ErrorCode.values())
        .extracting(ErrorCode::wire)
        .containsExactlyInAnyOrder(
            "bad_request",
            "unknown_op",
            "bad_channel",
            "unauthorized",
            "forbidden",
            "too_large",
            "rate_limited",
            "unavailable",
            "internal");
  }

  /**
   * Values a tree parser would change: big and long numbers, 1e400, escapes, surrogate pairs, white
   * space.
   */
  static final String[] EXACT_VALUES = {
    "0.10000000000000000555", "1796279589256.123", "1e400", "-0", "123456789012345678901234567890",
    "\"\\u00e9\\ud83d\\ude00 \\\" \\/ \\n\"", "\"é😀\"",
        "{ \"b\" : [ 1 , 2.50 ,\ttrue ] ,\"a\":null }", "[]", "\"\"",
    "  {\"x\":1e-7}  ",
  };

  @Test
  void publishedDataIsKeptByteForByte() {
    for (String value : EXACT_VALUES) {
      Command pub =
          ProtocolCodec.parse("{\"op\":\"publish\",\"channel\":\"c\",\"data\":" + value + "}");
      assertThat(pub.data().toString()).isEqualTo(value.strip());
      String frame = ProtocolCodec.publication("c", 7, pub.data().bytes()).toString();
      assertThat(frame)
          .isEqualTo("{\"channel\":\"c\",\"offset\":7,\"data\":" + value.strip() + "}");
      assertThat(
              ServerApiCodec.publish(
                      ("{\"channel\":\"c\",\"data\":" + value + "}")
                          .getBytes(java.nio.charset.StandardCharsets.UTF_8))
                  .data()
                  .toString())
          .isEqualTo(value.strip());
    }
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"{\"a\":\"\\x\"}", "01", "[1,2}", "\"\u0001\"", "tru", "{\"a\" 1}", "1 2", "[1,]"})
  void malformedDataIsABadRequest(String value) {
    ProtocolError error =
        refused("{\"id\":1,\"op\":\"publish\",\"channel\":\"c\",\"data\":" + value + "}");
    assertThat(error.code()).isEqualTo(ErrorCode.BAD_REQUEST);
    assertThat(error.getMessage()).contains("malformed JSON");
  }
}
