package io.wsgrid.broker;

import io.vertx.core.buffer.Buffer;

/** One publication of a channel: its offset and its encoded text frame (shared, never modified). */
public record Publication(long offset, Buffer frame) {}
