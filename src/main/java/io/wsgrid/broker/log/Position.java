package io.wsgrid.broker.log;

/**
 * Where a channel's log stands: its epoch and its last offset (-1 before the first publication).
 */
public record Position(long epoch, long tail) {}
