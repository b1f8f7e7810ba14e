package io.wsgrid.protocol;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.util.Arrays;

/**
 * Reads JSON with Jackson's streaming parser, so a value can be checked and kept as the exact bytes
 * it was sent as ({@link RawJson}) instead of being built into a tree and encoded again.
 */
final class JsonValues {
  private static final JsonFactory FACTORY = new JsonFactory();

  private JsonValues() {}

  static JsonParser parser(byte[] bytes, int offset, int length) throws IOException {
    return FACTORY.createParser(bytes, offset, length);
  }

  /**
   * The value the parser stands on (its first token just read), skipped over and returned as its
   * exact bytes; Jackson checks every token it skips (escapes, numbers, structure).
   */
  static RawJson capture(JsonParser parser, byte[] bytes, int offset) throws IOException {
    int start = offset + (int) parser.currentTokenLocation().getByteOffset();
    JsonToken token = parser.currentToken();
    if (token == JsonToken.START_OBJECT || token == JsonToken.START_ARRAY) {
      parser.skipChildren();
    } else {
      parser.finishToken();
    }
    int end = offset + (int) parser.currentLocation().getByteOffset();
    return RawJson.trusted(Arrays.copyOfRange(bytes, start, end));
  }

  static ProtocolError malformed(IOException e) {
    String detail = String.valueOf(e.getMessage());
    int cut = detail.indexOf('\n');
    if (cut > 0) detail = detail.substring(0, cut);
    int at = detail.indexOf(" at [Source");
    if (at > 0) detail = detail.substring(0, at);
    if (detail.length() > 120) detail = detail.substring(0, 120) + "…";
    return new ProtocolError(
        ErrorCode.BAD_REQUEST,
        "malformed JSON (" + detail + "): send one JSON object per text frame");
  }
}
