package io.wsgrid.api;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.wsgrid.protocol.ChannelName;
import io.wsgrid.protocol.ErrorCode;
import io.wsgrid.protocol.ProtocolError;

/**
 * The body of a server API method that carries no publication data, read as a JSON object, and its
 * fields checked one by one: every refusal is a {@code bad_request} (or {@code bad_channel}) that
 * names the field and what it takes.
 */
final class ApiBody {
  /** The longest {@code user} and {@code reason}. */
  static final int MAX_TEXT = 256;

  private final String method;
  private final JsonObject json;

  private ApiBody(String method, JsonObject json) {
    this.method = method;
    this.json = json;
  }

  /** Reads {@code body} (empty counts as {@code {}}) for {@code method}. */
  static ApiBody of(String method, byte[] body) {
    if (body.length == 0 || new String(body, java.nio.charset.StandardCharsets.UTF_8).isBlank())
      return new ApiBody(method, new JsonObject());
    Object value;
    try {
      value = Buffer.buffer(body).toJsonValue();
    } catch (DecodeException e) {
      throw new ProtocolError(
          ErrorCode.BAD_REQUEST, method + ": malformed JSON: send one JSON object as the body");
    }
    if (!(value instanceof JsonObject object)) {
      throw new ProtocolError(ErrorCode.BAD_REQUEST, method + ": the body must be a JSON object");
    }
    return new ApiBody(method, object);
  }

  String channel() {
    Object value = json.getValue("channel");
    if (value != null && !(value instanceof String)) {
      throw new ProtocolError(ErrorCode.BAD_CHANNEL, method + ": channel must be a string");
    }
    return ChannelName.require((String) value);
  }

  String user() {
    String user = text("user");
    if (user == null || user.isEmpty()) {
      throw new ProtocolError(
          ErrorCode.BAD_REQUEST, method + " needs user: the sub of the user's tokens");
    }
    return user;
  }

  /** An optional string of at most {@link #MAX_TEXT} characters, or null. */
  String text(String field) {
    Object value = json.getValue(field);
    if (value == null) return null;
    if (!(value instanceof String s) || s.length() > MAX_TEXT) {
      throw new ProtocolError(
          ErrorCode.BAD_REQUEST,
          method + ": " + field + " must be a string of at most " + MAX_TEXT + " characters");
    }
    return s;
  }

  /** An optional integer in {@code [min, max]}, else {@code fallback}. */
  long integer(String field, long min, long max, long fallback) {
    Object value = json.getValue(field);
    if (value == null) return fallback;
    if (!(value instanceof Number n)
        || n.doubleValue() != n.longValue()
        || n.longValue() < min
        || n.longValue() > max) {
      throw new ProtocolError(
          ErrorCode.BAD_REQUEST,
          method + ": " + field + " must be an integer from " + min + " to " + max);
    }
    return n.longValue();
  }

  boolean flag(String field) {
    Object value = json.getValue(field);
    if (value == null) return false;
    if (!(value instanceof Boolean b)) {
      throw new ProtocolError(
          ErrorCode.BAD_REQUEST, method + ": " + field + " must be true or false");
    }
    return b;
  }

  /** An optional nested object, or null. */
  JsonObject object(String field, String shape) {
    Object value = json.getValue(field);
    if (value == null) return null;
    if (!(value instanceof JsonObject o)) {
      throw new ProtocolError(
          ErrorCode.BAD_REQUEST, method + ": " + field + " must be an object " + shape);
    }
    return o;
  }
}
