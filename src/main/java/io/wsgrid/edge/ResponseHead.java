package io.wsgrid.edge;

import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Set;

/**
 * The node's answer to a tunnelled upgrade, read from the raw upstream bytes: status line and
 * headers up to the blank line (at most {@link #MAX} bytes), and whatever followed in the same
 * reads (the node's first frame after a 101, or an error body).
 */
final class ResponseHead {
  static final int MAX = 16 * 1024;

  /** Body-framing headers that do not apply to the edge's 101 (the tunnel carries raw bytes). */
  private static final Set<String> SKIP = Set.of("content-length", "transfer-encoding");

  private Buffer bytes = Buffer.buffer();
  private int status;
  private MultiMap headers;
  private Buffer rest;
  private boolean failed;

  /**
   * Adds bytes; true once the head is complete. Throws IllegalStateException on a malformed or
   * oversized head.
   */
  boolean feed(Buffer data) {
    bytes.appendBuffer(data);
    int end = indexOfBlankLine(bytes);
    if (end > MAX || (end < 0 && bytes.length() > MAX)) {
      throw new IllegalStateException("the node's response head is over " + MAX + " bytes");
    }
    if (end < 0) return false;
    String[] lines = bytes.getString(0, end, StandardCharsets.ISO_8859_1.name()).split("\r\n");
    String[] statusLine = lines[0].split(" ", 3);
    if (statusLine.length < 2 || !statusLine[0].startsWith("HTTP/1.")) {
      throw new IllegalStateException(
          "the node answered something that is not HTTP/1.x: " + lines[0]);
    }
    try {
      status = Integer.parseInt(statusLine[1]);
    } catch (NumberFormatException e) {
      throw new IllegalStateException("bad status line from the node: " + lines[0]);
    }
    headers = MultiMap.caseInsensitiveMultiMap();
    for (int i = 1; i < lines.length; i++) {
      int colon = lines[i].indexOf(':');
      if (colon <= 0) continue;
      String name = lines[i].substring(0, colon).trim();
      if (status == 101 && SKIP.contains(name.toLowerCase(Locale.ROOT))) continue;
      headers.add(name, lines[i].substring(colon + 1).trim());
    }
    rest = bytes.getBuffer(end + 4, bytes.length());
    bytes = null;
    return true;
  }

  private static int indexOfBlankLine(Buffer buffer) {
    for (int i = 0; i + 3 < buffer.length(); i++) {
      if (buffer.getByte(i) == '\r'
          && buffer.getByte(i + 1) == '\n'
          && buffer.getByte(i + 2) == '\r'
          && buffer.getByte(i + 3) == '\n') {
        return i;
      }
    }
    return -1;
  }

  void fail() {
    failed = true;
  }

  boolean done() {
    return failed || headers != null;
  }

  int status() {
    return status;
  }

  /** The node's headers; for a 101, without body-framing ones. */
  MultiMap headers() {
    return headers;
  }

  Buffer rest() {
    return rest;
  }
}
