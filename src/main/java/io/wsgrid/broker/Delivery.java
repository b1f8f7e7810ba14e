package io.wsgrid.broker;

import io.vertx.core.buffer.Buffer;

/**
 * One publication on its way to the nodes that follow its channel: where it stands in the channel
 * ({@code epoch}, {@code offset}), when it was accepted (epoch µs), and its frame as subscribers
 * receive it (shared, never modified).
 */
public record Delivery(
    String channel, long epoch, long offset, long acceptedAtMicros, Buffer frame) {}
