package io.wsgrid.security;

import io.wsgrid.protocol.Op;
import java.util.List;
import java.util.Map;

/**
 * Who a connection is: the token's {@code sub}, when the token expires (epoch millis, {@link
 * Long#MAX_VALUE} without {@code exp}), and the channel patterns its {@code channels} claim grants
 * per op. {@link #ANONYMOUS} has no token.
 */
public record Identity(String sub, long expiresAtMillis, Map<Op, List<String>> grants) {
  public static final Identity ANONYMOUS = new Identity(null, Long.MAX_VALUE, Map.of());

  public boolean anonymous() {
    return sub == null;
  }

  public boolean expired(long nowMillis) {
    return nowMillis >= expiresAtMillis;
  }

  @Override
  public String toString() {
    return anonymous() ? "anonymous" : "sub=" + sub;
  }
}
