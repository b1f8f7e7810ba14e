package io.wsgrid.broker.log;

/**
 * One publication in a channel's log: its offset, its data as published, and when it was accepted
 * (epoch µs).
 */
public record LogEntry(long offset, byte[] data, long acceptedAtMicros) {}
