package io.wsgrid.protocol;

/**
 * A place in a channel's stream: the offset of a publication and the epoch of the history it
 * belongs to. An epoch changes only when a channel's history is lost, so an offset from an old
 * epoch cannot be trusted against the new one.
 */
public record StreamPosition(long offset, String epoch) {
  public StreamPosition {
    if (offset < -1)
      throw new IllegalArgumentException("offset must be >= -1 (-1: nothing published yet)");
    if (epoch == null) throw new IllegalArgumentException("epoch is missing");
  }
}
