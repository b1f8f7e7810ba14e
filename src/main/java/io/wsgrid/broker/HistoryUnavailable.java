package io.wsgrid.broker;

/**
 * The channel's history no longer reaches back to the requested offset (trimmed, expired or lost).
 */
public final class HistoryUnavailable extends RuntimeException {
  public HistoryUnavailable(String message) {
    super(message, null, false, false);
  }
}
