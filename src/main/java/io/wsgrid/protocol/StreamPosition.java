package io.wsgrid.protocol;

/**
 * A place in a channel's stream: the offset of a publication and the epoch of the history it
 * belongs to. An epoch changes only when a channel's history is lost, so an offset from an old
 * epoch cannot be trusted against the new one.
 */
public record StreamPosition(long offset, String epoch) {
  public StreamPosition {
    if (offset < 0) throw new IllegalArgumentException("offset must be >= 0");
    if (epoch == null) throw new IllegalArgumentException("epoch is missing");
  }
}
