package io.wsgrid.session;

import io.wsgrid.metrics.Rejections;
import io.wsgrid.security.ChannelRules;
import io.wsgrid.security.TokenVerifier;

/**
 * What every session of a node works with: the node's name (in the {@code connected} frame), the
 * per-connection {@code limits}, the token {@code verifier} (null when no JWT key is configured),
 * the channel permissions, and where rejections are counted and logged.
 */
public record SessionSettings(
    String nodeName,
    SessionLimits limits,
    TokenVerifier verifier,
    ChannelRules rules,
    Rejections rejections) {

  /**
   * True when sessions need a look once a second: to ping quiet sockets, close dead ones, or end
   * those whose token expired or that never authenticated.
   */
  boolean needsSweep() {
    return limits.pingIntervalSeconds() > 0 || limits.idleTimeoutSeconds() > 0 || verifier != null;
  }
}
