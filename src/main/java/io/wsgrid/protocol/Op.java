package io.wsgrid.protocol;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The operations a client may request, by their wire name; whether each names a channel, and
 * whether the channel's permissions govern it (the ops of {@code permissions:} rules and of a
 * token's {@code channels} claim).
 */
public enum Op {
  SUBSCRIBE("subscribe", true, true),
  UNSUBSCRIBE("unsubscribe", true, false),
  PUBLISH("publish", true, true),
  PRESENCE("presence", true, true),
  PING("ping", false, false),
  AUTH("auth", false, false);

  /** The ops a channel's permissions govern, in declaration order. */
  public static final List<Op> PERMISSIONED =
      Arrays.stream(values()).filter(Op::permissioned).toList();

  private final String wire;
  private final boolean needsChannel;
  private final boolean permissioned;

  Op(String wire, boolean needsChannel, boolean permissioned) {
    this.wire = wire;
    this.needsChannel = needsChannel;
    this.permissioned = permissioned;
  }

  public String wire() {
    return wire;
  }

  public boolean needsChannel() {
    return needsChannel;
  }

  /** True when a client needs the channel's permission for this op (see {@code ChannelRules}). */
  public boolean permissioned() {
    return permissioned;
  }

  public static Optional<Op> fromWire(String name) {
    for (Op op : values()) {
      if (op.wire.equals(name)) return Optional.of(op);
    }
    return Optional.empty();
  }
}
