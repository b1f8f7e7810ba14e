package io.wsgrid.broker.log;

import java.util.List;

/**
 * Part of a channel's log: {@code entries} in offset order, from the requested offset or, when that
 * was dropped, from {@code first}, the oldest still kept; {@code tail} is the last offset.
 */
public record LogSlice(long epoch, long first, long tail, List<LogEntry> entries) {
  /** A channel the log holds nothing of. */
  public static LogSlice empty(long epoch) {
    return new LogSlice(epoch, 0, -1, List.of());
  }
}
