package io.wsgrid.protocol;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Reads client requests and writes server frames of protocol v1 (JSON text frames). Parsing never
 * throws anything but {@link ProtocolError}, whatever the input. A publication's {@code data} is
 * kept as the bytes the publisher sent ({@link RawJson}): checked, never rebuilt.
 */
public final class ProtocolCodec {
  private static final byte[] PUBLICATION_CHANNEL = bytes("{\"channel\":\"");
  private static final byte[] PUBLICATION_OFFSET = bytes("\",\"offset\":");
  private static final byte[] PUBLICATION_DATA = bytes(",\"data\":");
  private static final byte[] PUBLICATION_DATA_NO_OFFSET = bytes("\",\"data\":");

  private ProtocolCodec() {}

  /** Parses one text frame into a validated command. */
  public static Command parse(String text) {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    return parse(bytes, 0, bytes.length);
  }

  /** Parses the UTF-8 bytes of one text frame into a validated command. */
  private static Command parse(byte[] bytes, int offset, int length) {
    Fields fields =
        read(bytes, offset, length, "malformed JSON: send one JSON object per text frame");
    Object id = fields.id;
    if (id != null && !(id instanceof Number) && !(id instanceof String)) {
      throw new ProtocolError(ErrorCode.BAD_REQUEST, "id must be a number or a string");
    }
    try {
      return fields.command();
    } catch (ProtocolError e) {
      throw e.withRequestId(id);
    }
  }

  private static Fields read(byte[] bytes, int offset, int length, String shape) {
    Fields fields = new Fields();
    try (JsonParser parser = JsonValues.parser(bytes, offset, length)) {
      if (parser.nextToken() != JsonToken.START_OBJECT) {
        throw new ProtocolError(ErrorCode.BAD_REQUEST, shape);
      }
      JsonToken token;
      while ((token = parser.nextToken()) == JsonToken.FIELD_NAME) {
        String name = parser.currentName();
        JsonToken value = parser.nextToken();
        switch (name) {
          case "id" -> fields.id = scalar(parser, value);
          case "op" -> fields.op = scalar(parser, value);
          case "channel" -> fields.channel = scalar(parser, value);
          case "token" -> fields.token = scalar(parser, value);
          case "data" -> fields.data = JsonValues.capture(parser, bytes, offset);
          case "since" ->
              fields.since =
                  value == JsonToken.START_OBJECT ? readSince(parser) : skipped(parser, value);
          default -> parser.skipChildren();
        }
      }
      if (token != JsonToken.END_OBJECT || parser.nextToken() != null) {
        throw new ProtocolError(ErrorCode.BAD_REQUEST, shape);
      }
    } catch (IOException e) {
      throw JsonValues.malformed(e);
    }
    return fields;
  }

  /**
   * What a frame's fields held: scalars as Java values, {@code data} as its bytes, anything else as
   * {@link Skipped}.
   */
  private static final class Fields {
    Object id;
    Object op;
    Object channel;
    Object token;
    RawJson data;
    Object since;

    Command command() {
      if (op == null) throw new ProtocolError(ErrorCode.BAD_REQUEST, "op is missing");
      if (!(op instanceof String opName))
        throw new ProtocolError(ErrorCode.BAD_REQUEST, "op must be a string");
      Op parsed =
          Op.fromWire(opName)
              .orElseThrow(
                  () ->
                      new ProtocolError(
                          ErrorCode.UNKNOWN_OP,
                          "unknown op '"
                              + abbreviate(opName)
                              + "': use subscribe, unsubscribe, publish, presence, ping or auth"));
      String name = null;
      if (parsed.needsChannel()) {
        if (channel != null && !(channel instanceof String))
          throw new ProtocolError(ErrorCode.BAD_CHANNEL, "channel must be a string");
        name = ChannelName.require((String) channel);
      }
      if (parsed == Op.PUBLISH && data == null)
        throw new ProtocolError(ErrorCode.BAD_REQUEST, "publish needs data");
      StreamPosition position = parsed == Op.SUBSCRIBE ? since() : null;
      String credential = null;
      if (parsed == Op.AUTH) {
        if (!(token instanceof String t) || t.isEmpty())
          throw new ProtocolError(ErrorCode.BAD_REQUEST, "auth needs a token string");
        credential = t;
      }
      return new Command(
          id, parsed, name, parsed == Op.PUBLISH ? data : null, position, credential);
    }

    private StreamPosition since() {
      if (since == null || since == Skipped.NULL) return null;
      if (!(since instanceof SinceFields fields)) {
        throw new ProtocolError(
            ErrorCode.BAD_REQUEST, "since must be an object {\"offset\":n,\"epoch\":\"…\"}");
      }
      Object offset = fields.offset;
      if (!(offset instanceof Number n) || n.longValue() < -1 || n.doubleValue() != n.longValue()) {
        throw new ProtocolError(
            ErrorCode.BAD_REQUEST,
            "since.offset must be an integer >= -1 (-1: nothing received yet)");
      }
      if (!(fields.epoch instanceof String e) || e.isEmpty() || e.length() > 64) {
        throw new ProtocolError(
            ErrorCode.BAD_REQUEST, "since.epoch must be a string of 1 to 64 characters");
      }
      return new StreamPosition(n.longValue(), e);
    }
  }

  /**
   * Stands for a value of a type a field does not take (an object or array where a scalar belongs,
   * or null).
   */
  enum Skipped {
    OTHER,
    NULL
  }

  private record SinceFields(Object offset, Object epoch) {}

  static Object scalar(JsonParser parser, JsonToken token) throws IOException {
    return switch (token) {
      case VALUE_STRING -> parser.getText();
      case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> parser.getNumberValue();
      case VALUE_TRUE -> Boolean.TRUE;
      case VALUE_FALSE -> Boolean.FALSE;
      case VALUE_NULL -> null;
      default -> skipped(parser, token);
    };
  }

  static Object skipped(JsonParser parser, JsonToken token) throws IOException {
    parser.skipChildren();
    return token == JsonToken.VALUE_NULL ? Skipped.NULL : Skipped.OTHER;
  }

  private static SinceFields readSince(JsonParser parser) throws IOException {
    Object offset = null;
    Object epoch = null;
    while (parser.nextToken() == JsonToken.FIELD_NAME) {
      String name = parser.currentName();
      JsonToken value = parser.nextToken();
      switch (name) {
        case "offset" -> offset = scalar(parser, value);
        case "epoch" -> epoch = scalar(parser, value);
        default -> parser.skipChildren();
      }
    }
    return new SinceFields(offset, epoch);
  }

  /**
   * {@code {"op":"connected","node":…,"client":…}}, the first frame of every connection, with the
   * connection's message budget when it has one ({@code "limits":{"rate":50,"burst":100}}: frames
   * per second and burst of its token bucket), so a client paces its requests (a resubscribe of
   * many channels above all) instead of being refused.
   */
  public static Buffer connected(String node, String client, int rate, int burst) {
    JsonObject frame =
        new JsonObject().put("op", "connected").put("node", node).put("client", client);
    if (rate > 0) frame.put("limits", new JsonObject().put("rate", rate).put("burst", burst));
    return frame.toBuffer();
  }

  /**
   * {@code {"id":…,"ok":true}} plus any extra fields (may be null). Written field by field: a
   * publish's reply is the most frequent frame a node writes after publications.
   */
  public static Buffer ok(Object id, JsonObject extra) {
    Buffer reply = Buffer.buffer(64).appendByte((byte) '{');
    if (id != null) appendValue(reply.appendString("\"id\":"), id).appendByte((byte) ',');
    reply.appendString("\"ok\":true");
    if (extra != null) {
      for (Map.Entry<String, Object> field : extra) {
        if (field.getKey().equals("id") || field.getKey().equals("ok")) continue;
        appendValue(
            reply
                .appendByte((byte) ',')
                .appendString(Json.encode(field.getKey()))
                .appendByte((byte) ':'),
            field.getValue());
      }
    }
    return reply.appendByte((byte) '}');
  }

  private static Buffer appendValue(Buffer out, Object value) {
    if (value instanceof Integer || value instanceof Long || value instanceof Boolean)
      return out.appendString(value.toString());
    return out.appendString(Json.encode(value));
  }

  /** {@code {"id":…,"error":{"code":…,"message":…}}}. */
  public static Buffer error(ProtocolError error) {
    JsonObject reply = new JsonObject();
    if (error.requestId() != null) reply.put("id", error.requestId());
    reply.put("error", errorBody(error.code().wire(), error.getMessage()));
    return reply.toBuffer();
  }

  /**
   * {@code {"code":…,"message":…}}: the error object of every error wsgrid answers, on a socket or
   * over HTTP.
   */
  public static JsonObject errorBody(String code, String message) {
    return new JsonObject().put("code", code).put("message", message);
  }

  /** {@code {"error":{"code":…,"message":…}}}: the body of an HTTP error answer. */
  public static String httpErrorBody(String code, String message) {
    return new JsonObject().put("error", errorBody(code, message)).encode();
  }

  /**
   * A publication frame {@code {"channel":…,"offset":…,"data":…}} with {@code data} written as the
   * publisher's bytes; {@code offset} is left out when negative.
   */
  public static Buffer publication(String channel, long offset, byte[] data) {
    // Channel names are [A-Za-z0-9_.:-]: one byte per character, nothing to escape.
    int length = channel.length();
    Buffer frame =
        Buffer.buffer(
            PUBLICATION_CHANNEL.length
                + length
                + PUBLICATION_OFFSET.length
                + 20
                + PUBLICATION_DATA.length
                + data.length
                + 1);
    frame.appendBytes(PUBLICATION_CHANNEL);
    for (int i = 0; i < length; i++) frame.appendByte((byte) channel.charAt(i));
    if (offset >= 0) {
      frame
          .appendBytes(PUBLICATION_OFFSET)
          .appendString(Long.toString(offset))
          .appendBytes(PUBLICATION_DATA);
    } else {
      frame.appendBytes(PUBLICATION_DATA_NO_OFFSET);
    }
    return frame.appendBytes(data).appendByte((byte) '}');
  }

  /**
   * Where {@code data} starts in a {@link #publication} frame of {@code channel} at {@code offset}
   * (>= 0); the data ends one byte before the frame does.
   */
  static int dataStart(String channel, long offset) {
    return PUBLICATION_CHANNEL.length
        + channel.length()
        + PUBLICATION_OFFSET.length
        + Long.toString(offset).length()
        + PUBLICATION_DATA.length;
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static String abbreviate(String s) {
    return s.length() > 40 ? s.substring(0, 40) + "…" : s;
  }
}
