package io.wsgrid.protocol;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;

/**
 * Reads client requests and writes server frames of protocol v1 (JSON text frames). Parsing never
 * throws anything but {@link ProtocolError}, whatever the input.
 */
public final class ProtocolCodec {

  private ProtocolCodec() {}

  /** Parses one text frame into a validated command. */
  public static Command parse(String text) {
    JsonObject json;
    try {
      json = new JsonObject(text);
    } catch (RuntimeException e) {
      throw new ProtocolError(ErrorCode.BAD_REQUEST, "malformed JSON: send one JSON object per text frame");
    }
    Object id = json.getValue("id");
    if (id != null && !(id instanceof Number) && !(id instanceof String)) {
      throw new ProtocolError(ErrorCode.BAD_REQUEST, "id must be a number or a string");
    }
    try {
      return parseFields(json, id);
    } catch (ProtocolError e) {
      throw e.withRequestId(id);
    }
  }

  private static Command parseFields(JsonObject json, Object id) {
    Object opValue = json.getValue("op");
    if (opValue == null) throw new ProtocolError(ErrorCode.BAD_REQUEST, "op is missing");
    if (!(opValue instanceof String opName)) throw new ProtocolError(ErrorCode.BAD_REQUEST, "op must be a string");
    Op op = Op.fromWire(opName).orElseThrow(() -> new ProtocolError(ErrorCode.UNKNOWN_OP,
        "unknown op '" + abbreviate(opName) + "': use subscribe, unsubscribe, publish, presence, ping or auth"));

    String channel = null;
    if (op.needsChannel()) {
      Object value = json.getValue("channel");
      if (value != null && !(value instanceof String)) {
        throw new ProtocolError(ErrorCode.BAD_CHANNEL, "channel must be a string");
      }
      channel = ChannelName.require((String) value);
    }
    Object data = null;
    if (op == Op.PUBLISH) {
      if (!json.containsKey("data")) throw new ProtocolError(ErrorCode.BAD_REQUEST, "publish needs data");
      data = json.getValue("data");
    }
    StreamPosition since = op == Op.SUBSCRIBE ? parseSince(json.getValue("since")) : null;
    String token = null;
    if (op == Op.AUTH) {
      if (!(json.getValue("token") instanceof String t) || t.isEmpty()) {
        throw new ProtocolError(ErrorCode.BAD_REQUEST, "auth needs a token string");
      }
      token = t;
    }
    return new Command(id, op, channel, data, since, token);
  }

  private static StreamPosition parseSince(Object value) {
    if (value == null) return null;
    if (!(value instanceof JsonObject since)) {
      throw new ProtocolError(ErrorCode.BAD_REQUEST, "since must be an object {\"offset\":n,\"epoch\":\"…\"}");
    }
    Object offset = since.getValue("offset");
    Object epoch = since.getValue("epoch");
    if (!(offset instanceof Number n) || n.longValue() < -1 || n.doubleValue() != n.longValue()) {
      throw new ProtocolError(ErrorCode.BAD_REQUEST, "since.offset must be an integer >= -1 (-1: nothing received yet)");
    }
    if (!(epoch instanceof String e) || e.isEmpty() || e.length() > 64) {
      throw new ProtocolError(ErrorCode.BAD_REQUEST, "since.epoch must be a string of 1 to 64 characters");
    }
    return new StreamPosition(n.longValue(), e);
  }

  /**
   * {@code {"op":"connected","node":…,"client":…}}, the first frame of every connection, with the
   * connection's message budget when it has one ({@code "limits":{"rate":50,"burst":100}}: frames per
   * second and burst of its token bucket), so a client paces its requests (a resubscribe of many
   * channels above all) instead of being refused.
   */
  public static Buffer connected(String node, String client, int rate, int burst) {
    JsonObject frame = new JsonObject().put("op", "connected").put("node", node).put("client", client);
    if (rate > 0) frame.put("limits", new JsonObject().put("rate", rate).put("burst", burst));
    return frame.toBuffer();
  }

  /** {@code {"id":…,"ok":true}} plus any extra fields (may be null). */
  public static Buffer ok(Object id, JsonObject extra) {
    JsonObject reply = new JsonObject();
    if (id != null) reply.put("id", id);
    reply.put("ok", true);
    if (extra != null) reply.mergeIn(extra);
    return reply.toBuffer();
  }

  /** {@code {"id":…,"error":{"code":…,"message":…}}}. */
  public static Buffer error(ProtocolError error) {
    JsonObject reply = new JsonObject();
    if (error.requestId() != null) reply.put("id", error.requestId());
    reply.put("error", new JsonObject().put("code", error.code().wire()).put("message", error.getMessage()));
    return reply.toBuffer();
  }

  /**
   * A publication frame {@code {"channel":…,"offset":…,"data":…}}; {@code offset} is left out when
   * negative (a channel without history numbering).
   */
  public static Buffer publication(String channel, long offset, Object data) {
    JsonObject push = new JsonObject().put("channel", channel);
    if (offset >= 0) push.put("offset", offset);
    push.put("data", data);
    return push.toBuffer();
  }

  private static String abbreviate(String s) {
    return s.length() > 40 ? s.substring(0, 40) + "…" : s;
  }
}
