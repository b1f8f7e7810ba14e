package io.wsgrid.protocol;

import java.util.Optional;

/** The operations a client may request, by their wire name. */
public enum Op {
  SUBSCRIBE("subscribe", true),
  UNSUBSCRIBE("unsubscribe", true),
  PUBLISH("publish", true),
  PRESENCE("presence", true),
  PING("ping", false),
  AUTH("auth", false);

  private final String wire;
  private final boolean needsChannel;

  Op(String wire, boolean needsChannel) {
    this.wire = wire;
    this.needsChannel = needsChannel;
  }

  public String wire() {
    return wire;
  }

  public boolean needsChannel() {
    return needsChannel;
  }

  public static Optional<Op> fromWire(String name) {
    for (Op op : values()) {
      if (op.wire.equals(name)) return Optional.of(op);
    }
    return Optional.empty();
  }
}
