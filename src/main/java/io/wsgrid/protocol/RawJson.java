package io.wsgrid.protocol;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * One JSON value exactly as a publisher sent it: the UTF-8 bytes, checked to be well-formed JSON
 * and never parsed into a tree or re-encoded, so every subscriber receives these bytes.
 */
public final class RawJson {
  private final byte[] bytes;

  private RawJson(byte[] bytes) {
    this.bytes = bytes;
  }

  /** Wraps bytes already known to be one well-formed JSON value (the parser's output). */
  static RawJson trusted(byte[] bytes) {
    return new RawJson(bytes);
  }

  /** The UTF-8 bytes; shared, never modify them. */
  public byte[] bytes() {
    return bytes;
  }

  public int length() {
    return bytes.length;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof RawJson raw && Arrays.equals(bytes, raw.bytes);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(bytes);
  }

  @Override
  public String toString() {
    return new String(bytes, StandardCharsets.UTF_8);
  }
}
