package io.wsgrid.protocol;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.vertx.core.buffer.Buffer;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the bodies of the server API's publishing methods ({@code publish}, {@code broadcast},
 * {@code batch}) with {@code data} kept as the bytes the backend sent ({@link RawJson}), and writes
 * {@code history} replies with each publication's {@code data} copied from its frame, never
 * rebuilt. Parsing throws nothing but {@link ProtocolError}.
 */
public final class ServerApiCodec {
  /** The longest {@code idempotency_key}. */
  public static final int MAX_KEY_LENGTH = 256;

  private ServerApiCodec() {}

  /** {@code {"channel":…,"data":…,"idempotency_key":…?}}; the key is null when absent. */
  public record Publish(String channel, RawJson data, String idempotencyKey) {}

  /** {@code {"channels":[…],"data":…,"idempotency_key":…?}}. */
  public record Broadcast(List<String> channels, RawJson data, String idempotencyKey) {}

  /** One item of a batch: the publication, or why it was refused (then {@code publish} is null). */
  public record BatchItem(Publish publish, ProtocolError error) {}

  public static Publish publish(byte[] body) {
    return toPublish(read(body, "{\"channel\":…,\"data\":…}"));
  }

  /** A broadcast of at most {@code max} distinct channels (duplicates are published once). */
  public static Broadcast broadcast(byte[] body, int max) {
    Fields fields = read(body, "{\"channels\":[…],\"data\":…}");
    if (!(fields.channels instanceof List<?> list) || list.isEmpty()) {
      throw new ProtocolError(
          ErrorCode.BAD_REQUEST, "broadcast needs channels: a non-empty list of channel names");
    }
    List<String> channels = new ArrayList<>();
    for (Object channel : list) {
      String name = channelName(channel);
      if (!channels.contains(name)) channels.add(name);
    }
    if (channels.size() > max) {
      throw new ProtocolError(
          ErrorCode.BAD_REQUEST,
          "too many channels: at most " + max + " per broadcast; split it into several calls");
    }
    if (fields.data == null) throw new ProtocolError(ErrorCode.BAD_REQUEST, "broadcast needs data");
    return new Broadcast(List.copyOf(channels), fields.data, key(fields));
  }

  /** A batch of at most {@code max} publications; a bad item is refused alone, in its place. */
  public static List<BatchItem> batch(byte[] body, int max) {
    Fields fields = read(body, "{\"publications\":[{\"channel\":…,\"data\":…},…]}");
    if (!(fields.publications instanceof List<?> list) || list.isEmpty()) {
      throw new ProtocolError(
          ErrorCode.BAD_REQUEST,
          "batch needs publications: a non-empty list of {\"channel\":…,\"data\":…}");
    }
    if (list.size() > max) {
      throw new ProtocolError(
          ErrorCode.BAD_REQUEST,
          "too many publications: at most " + max + " per batch; split it into several calls");
    }
    List<BatchItem> items = new ArrayList<>(list.size());
    for (Object item : list) {
      try {
        if (!(item instanceof Fields f)) {
          throw new ProtocolError(
              ErrorCode.BAD_REQUEST,
              "each publication must be an object {\"channel\":…,\"data\":…}");
        }
        items.add(new BatchItem(toPublish(f), null));
      } catch (ProtocolError e) {
        items.add(new BatchItem(null, e));
      }
    }
    return items;
  }

  /**
   * {@code {"epoch":…,"offset":n,"publications":[{"offset":n,"data":…},…]}} (plus {@code
   * "recovered"} when not null) from publication frames of {@code channel}, each as {@link
   * ProtocolCodec#publication} wrote it: {@code data} is copied out of the frame byte for byte.
   */
  public static Buffer history(
      String epoch,
      long offset,
      Boolean recovered,
      String channel,
      List<Long> offsets,
      List<Buffer> frames) {
    Buffer out = Buffer.buffer(64 + frames.stream().mapToInt(Buffer::length).sum());
    out.appendString("{\"epoch\":")
        .appendString(io.vertx.core.json.Json.encode(epoch))
        .appendString(",\"offset\":")
        .appendString(Long.toString(offset));
    if (recovered != null) out.appendString(",\"recovered\":").appendString(recovered.toString());
    out.appendString(",\"publications\":[");
    for (int i = 0; i < frames.size(); i++) {
      if (i > 0) out.appendByte((byte) ',');
      long at = offsets.get(i);
      Buffer frame = frames.get(i);
      int start = ProtocolCodec.dataStart(channel, at);
      out.appendString("{\"offset\":")
          .appendString(Long.toString(at))
          .appendString(",\"data\":")
          .appendBuffer(frame, start, frame.length() - 1 - start)
          .appendByte((byte) '}');
    }
    return out.appendString("]}");
  }

  private static Publish toPublish(Fields fields) {
    String channel = channelName(fields.channel);
    if (fields.data == null) throw new ProtocolError(ErrorCode.BAD_REQUEST, "publish needs data");
    return new Publish(channel, fields.data, key(fields));
  }

  private static String channelName(Object channel) {
    if (channel != null && !(channel instanceof String)) {
      throw new ProtocolError(ErrorCode.BAD_CHANNEL, "channel must be a string");
    }
    return ChannelName.require((String) channel);
  }

  private static String key(Fields fields) {
    Object key = fields.key;
    if (key == null || key == ProtocolCodec.Skipped.NULL) return null;
    if (!(key instanceof String k) || k.isEmpty() || k.length() > MAX_KEY_LENGTH) {
      throw new ProtocolError(
          ErrorCode.BAD_REQUEST,
          "idempotency_key must be a string of 1 to " + MAX_KEY_LENGTH + " characters");
    }
    return k;
  }

  /** What a body's fields held; lists as {@code List} of scalars or {@link Fields}. */
  private static final class Fields {
    Object channel;
    RawJson data;
    Object key;
    Object channels;
    Object publications;
  }

  private static Fields read(byte[] bytes, String shape) {
    String expected = "body must be a JSON object " + shape;
    try (JsonParser parser = JsonValues.parser(bytes, 0, bytes.length)) {
      if (parser.nextToken() != JsonToken.START_OBJECT) {
        throw new ProtocolError(ErrorCode.BAD_REQUEST, expected);
      }
      Fields fields = readObject(parser, bytes, true);
      if (parser.currentToken() != JsonToken.END_OBJECT || parser.nextToken() != null) {
        throw new ProtocolError(ErrorCode.BAD_REQUEST, expected);
      }
      return fields;
    } catch (IOException e) {
      throw JsonValues.malformed(e);
    }
  }

  /** Reads the object the parser stands on (just past its START_OBJECT), up to its END_OBJECT. */
  private static Fields readObject(JsonParser parser, byte[] bytes, boolean top)
      throws IOException {
    Fields fields = new Fields();
    while (parser.nextToken() == JsonToken.FIELD_NAME) {
      String name = parser.currentName();
      JsonToken value = parser.nextToken();
      switch (name) {
        case "channel" -> fields.channel = ProtocolCodec.scalar(parser, value);
        case "data" -> fields.data = JsonValues.capture(parser, bytes, 0);
        case "idempotency_key" -> fields.key = ProtocolCodec.scalar(parser, value);
        case "channels" -> fields.channels = top ? list(parser, value, bytes, false) : skip(parser);
        case "publications" ->
            fields.publications = top ? list(parser, value, bytes, true) : skip(parser);
        default -> parser.skipChildren();
      }
    }
    return fields;
  }

  private static Object list(JsonParser parser, JsonToken token, byte[] bytes, boolean objects)
      throws IOException {
    if (token != JsonToken.START_ARRAY) return ProtocolCodec.skipped(parser, token);
    List<Object> items = new ArrayList<>();
    JsonToken item;
    while ((item = parser.nextToken()) != JsonToken.END_ARRAY) {
      items.add(
          objects && item == JsonToken.START_OBJECT
              ? readObject(parser, bytes, false)
              : ProtocolCodec.scalar(parser, item));
    }
    return items;
  }

  private static Object skip(JsonParser parser) throws IOException {
    parser.skipChildren();
    return null;
  }
}
